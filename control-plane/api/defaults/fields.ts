/**
 * In-place helpers for defaulters: set a field only when it is unset, reach (or create) a nested
 * object, walk a list of objects. Non-object values are left alone so that validation, which runs
 * after defaulting, reports them.
 */
import { isObject } from '../validation/json.js';

/** Sets `obj[key]` to `value` when it is undefined or null. */
export function setDefault(obj: Record<string, any>, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** `obj[key]` as an object, created empty when unset; undefined when it holds something else. */
export function child(obj: Record<string, any>, key: string): Record<string, any> | undefined {
  if (obj[key] === undefined || obj[key] === null) obj[key] = {};
  return isObject(obj[key]) ? obj[key] : undefined;
}

/** `obj[key]` when it is an object (never created). */
export function existing(obj: Record<string, any> | undefined, key: string): Record<string, any> | undefined {
  const v = obj?.[key];
  return isObject(v) ? v : undefined;
}

/** Calls `fn` for each object in the list at `obj[key]`. */
export function eachObject(obj: Record<string, any> | undefined, key: string, fn: (item: Record<string, any>) => void): void {
  const v = obj?.[key];
  if (Array.isArray(v)) for (const item of v) if (isObject(item)) fn(item);
}

export { isObject };
