/**
 * authorization.k8s.io/v1 SelfSubjectAccessReviews: exactly one of resourceAttributes and
 * nonResourceAttributes, and no metadata (reviews are answered, never stored). Validate before the
 * server fills in any metadata of its own.
 */
import type { FieldError } from '../status.js';
import { Path, invalid } from './field.js';
import { isSet, record } from './json.js';

const SPEC = Path.root('spec');

export function validateSelfSubjectAccessReview(obj: any): FieldError[] {
  const spec = record(obj?.spec);
  const errs: FieldError[] = [];
  const hasResource = isSet(spec.resourceAttributes);
  const hasNonResource = isSet(spec.nonResourceAttributes);
  if (hasResource && hasNonResource) errs.push(invalid(SPEC.child('nonResourceAttributes'), spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  if (!hasResource && !hasNonResource) errs.push(invalid(SPEC.child('resourceAttributes'), null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  const meta = record(obj?.metadata);
  if (Object.values(meta).some((v) => v !== null && v !== undefined)) errs.push(invalid(Path.root('metadata'), meta, 'must be empty'));
  return errs;
}
