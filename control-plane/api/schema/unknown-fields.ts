/**
 * Unknown-field detection for `fieldValidation=Strict|Warn`, reporting paths the way upstream's
 * strict JSON decoder does (`spec.template.spec.containers[0].bogus`, map keys joined with dots).
 */
import { fieldsOf, parseType, typeOfKind, type TypeExpr } from './types.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects the paths of undeclared fields into `out`; deletes them from `value` when `prune`. */
function walk(value: unknown, type: TypeExpr, path: string, out: string[], prune: boolean): void {
  switch (type.kind) {
    case 'primitive':
      return; // scalars, IntOrString and RawExtension-like `any` accept anything
    case 'list':
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, type.of, `${path}[${i}]`, out, prune));
      return;
    case 'map':
      if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, type.of, path ? `${path}.${k}` : k, out, prune);
      return;
    case 'object': {
      const fields = fieldsOf(type.name);
      if (!fields || !isPlainObject(value)) return;
      for (const [k, v] of Object.entries(value)) {
        const child = path ? `${path}.${k}` : k;
        if (Object.hasOwn(fields, k)) {
          walk(v, parseType(fields[k]), child, out, prune);
        } else {
          out.push(child);
          if (prune) delete value[k];
        }
      }
    }
  }
}

function check(group: string, version: string, kind: string, obj: unknown, prune: boolean): string[] {
  const typeName = typeOfKind(group, version, kind);
  if (!typeName) return [];
  const out: string[] = [];
  walk(obj, { kind: 'object', name: typeName }, '', out, prune);
  return out;
}

/**
 * Paths of the fields of `obj` that the schema of group/version/kind does not declare, in
 * document order. Empty for a kind the schema does not know (nothing can be checked).
 */
export function unknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  return check(group, version, kind, obj, false);
}

/**
 * Like unknownFields, and also deletes those fields from `obj` in place, as upstream's decoder
 * drops them when field validation is Ignore or Warn.
 */
export function pruneUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  return check(group, version, kind, obj, true);
}
