/**
 * The four PATCH content types, as pure functions over plain JSON that throw StatusErrors only,
 * plus managedFields tracking for ordinary writes:
 *
 * - application/merge-patch+json          applyMergePatch
 * - application/json-patch+json           applyJsonPatch
 * - application/strategic-merge-patch+json applyStrategicMergePatch
 * - application/apply-patch+yaml          applyServerSide
 * - create/update/other patches           updateManagedFields
 */
export { applyServerSide, LAST_APPLIED_ANNOTATION, type ApplyArgs, type ApplyResult } from './apply.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch } from './json-merge-patch.js';
export { updateManagedFields, type UpdateArgs } from './managed-fields.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
