/**
 * Object schemas of the served kinds: field types (unknown-field detection), patch metadata
 * (strategic merge patch, server-side apply) and OpenAPI v3 component schemas.
 */
export { ATOMIC_STRUCTS, FIELD_PATCH_META, type FieldPatchMeta, type ListType, type PatchStrategy } from './merge-keys.js';
export { openAPIComponents, openAPIName, openAPISchemaFor, schemaNameOfKind } from './openapi.js';
export {
  childOf,
  fieldsOf,
  isAtomicType,
  kindsOfType,
  listSemantics,
  parseType,
  typeNames,
  typeOfKind,
  upstreamNameOf,
  type FieldInfo,
  type GroupVersionKind,
  type ListSemantics,
  type Primitive,
  type TypeExpr,
} from './types.js';
export { cannotDecode, decodeTypes, rfc3339Problem, typeMismatch } from './type-check.js';
export { pruneUnknownFields, unknownFields } from './unknown-fields.js';
