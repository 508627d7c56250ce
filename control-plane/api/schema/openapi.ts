/**
 * OpenAPI v3 component schemas of the served types, named as upstream names them
 * (`io.k8s.api.apps.v1.Deployment`), with upstream's extensions: x-kubernetes-group-version-kind
 * on top-level kinds, patch strategy/merge key and list type/map keys on list and struct fields,
 * x-kubernetes-map-type atomic on atomic structs. Descriptions are the first sentence of upstream's.
 */
import descriptionData from './descriptions.json' with { type: 'json' };
import { ATOMIC_STRUCTS, type FieldPatchMeta } from './merge-keys.js';
import { childOf, fieldsOf, kindsOfType, typeOfKind, upstreamNameOf, type GroupVersionKind, type TypeExpr } from './types.js';

type Schema = Record<string, unknown>;

const DESCRIPTIONS = descriptionData as Record<string, Record<string, string>>;
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const INT_OR_STRING_SCHEMA: Schema = {
  description: 'IntOrString is a type that can hold an int32 or a string.',
  type: 'string',
  format: 'int-or-string',
};

/** The component name of a model; models unknown to the schema keep their own name. */
export function openAPIName(typeName: string): string {
  return upstreamNameOf(typeName) ?? typeName;
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** The schema of a value of type `t`; `refs` collects the models (and IntOrString) it references. */
function schemaOf(t: TypeExpr, refs: Set<string>): Schema {
  switch (t.kind) {
    case 'list':
      return { type: 'array', items: schemaOf(t.of, refs) };
    case 'map':
      return { type: 'object', additionalProperties: schemaOf(t.of, refs) };
    case 'object':
      refs.add(t.name);
      return ref(openAPIName(t.name));
    case 'primitive':
      switch (t.name) {
        case 'int32':
        case 'int64':
          return { type: 'integer', format: t.name };
        case 'number':
          return { type: 'number', format: 'double' };
        case 'byte':
          return { type: 'string', format: 'byte' };
        case 'date-time':
          return { type: 'string', format: 'date-time' };
        case 'int-or-string':
          refs.add(INT_OR_STRING);
          return ref(INT_OR_STRING);
        case 'any':
          return { type: 'object' };
        default:
          return { type: t.name };
      }
  }
}

function extensionsOf(meta: FieldPatchMeta): Schema {
  const ext: Schema = {};
  if (meta.patchMergeKey) ext['x-kubernetes-patch-merge-key'] = meta.patchMergeKey;
  if (meta.patchStrategy) ext['x-kubernetes-patch-strategy'] = meta.patchStrategy;
  if (meta.listType) ext['x-kubernetes-list-type'] = meta.listType;
  if (meta.listMapKeys) ext['x-kubernetes-list-map-keys'] = meta.listMapKeys;
  return ext;
}

function propertyOf(typeName: string, field: string, refs: Set<string>): Schema {
  const info = childOf({ kind: 'object', name: typeName }, field);
  const description = DESCRIPTIONS[typeName]?.[field];
  const base = info ? schemaOf(info.type, refs) : { type: 'object' };
  const extras: Schema = { ...(description ? { description } : {}), ...(info ? extensionsOf(info.meta) : {}) };
  if (Object.keys(extras).length === 0) return base;
  // A $ref cannot carry siblings in OpenAPI 3.0; upstream wraps it in allOf.
  return '$ref' in base ? { allOf: [base], ...extras } : { ...base, ...extras };
}

function componentOf(typeName: string, refs: Set<string>): Schema {
  const properties: Schema = {};
  for (const field of Object.keys(fieldsOf(typeName) ?? {})) properties[field] = propertyOf(typeName, field, refs);
  const description = DESCRIPTIONS[typeName]?.[''];
  const schema: Schema = { ...(description ? { description } : {}), type: 'object', properties };
  const gvks = kindsOfType(typeName);
  if (gvks.length > 0) schema['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  if (ATOMIC_STRUCTS.has(typeName)) schema['x-kubernetes-map-type'] = 'atomic';
  return schema;
}

/** The component name of the schema of group/version/kind, or undefined for an unknown kind. */
export function schemaNameOfKind(group: string, version: string, kind: string): string | undefined {
  const typeName = typeOfKind(group, version, kind);
  return typeName ? openAPIName(typeName) : undefined;
}

/** The component schema of one model; its references point at `#/components/schemas/<name>`. */
export function openAPISchemaFor(typeName: string): Schema {
  return componentOf(typeName, new Set());
}

/**
 * The components for `roots` (model names, or kinds; unknown kinds are skipped) and everything they
 * reference, keyed by component name: what a `/openapi/v3/<group-version>` document puts under
 * `components.schemas`.
 */
export function openAPIComponents(roots: (string | GroupVersionKind)[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const queue = roots.flatMap((r) => (typeof r === 'string' ? [r] : (typeOfKind(r.group, r.version, r.kind) ?? [])));
  while (queue.length > 0) {
    const typeName = queue.shift() as string;
    if (typeName === INT_OR_STRING) {
      out[INT_OR_STRING] = INT_OR_STRING_SCHEMA;
      continue;
    }
    const name = openAPIName(typeName);
    if (out[name]) continue;
    const refs = new Set<string>();
    out[name] = componentOf(typeName, refs);
    queue.push(...refs);
  }
  return out;
}
