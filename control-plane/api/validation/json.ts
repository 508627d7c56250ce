/**
 * Tolerant readers for raw Kubernetes JSON: validators must never throw on odd input (a string
 * where a list belongs reads as an empty list), so every refusal is a field error, never a 500.
 */

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a list, else an empty list. */
export function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** `v` when it is an object, else an empty object. */
export function record(v: unknown): Record<string, any> {
  return isObject(v) ? v : {};
}

/** Entries of an object sorted by key, so errors come out in a stable order. */
export function sortedEntries(v: unknown): [string, any][] {
  return Object.entries(record(v)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `v` when it is a string, else ''. */
export function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** An absent value as Go decodes it: null, undefined and an empty list all read as nil. */
function absent(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/**
 * Upstream's semantic equality on decoded JSON: object key order is ignored and a missing field,
 * null and an empty list are the same.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b || (absent(a) && absent(b))) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
