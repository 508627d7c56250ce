/**
 * A readable list of what changed between two JSON values, appended to "may not change" Forbidden
 * messages the way upstream appends its cmp.Diff output: one `-` line with the old value and one
 * `+` line with the new value per changed field.
 */
import { deepEqual, isObject } from './json.js';

function show(v: unknown): string {
  return v === undefined ? '<unset>' : JSON.stringify(v);
}

function collect(oldV: unknown, newV: unknown, path: string, out: string[]): void {
  if (deepEqual(oldV, newV)) return;
  if (isObject(oldV) && isObject(newV)) {
    for (const key of [...new Set([...Object.keys(oldV), ...Object.keys(newV)])].sort()) {
      collect(oldV[key], newV[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  if (Array.isArray(oldV) && Array.isArray(newV) && oldV.length === newV.length) {
    oldV.forEach((x, i) => collect(x, newV[i], `${path}[${i}]`, out));
    return;
  }
  out.push(`- ${path}: ${show(oldV)}`, `+ ${path}: ${show(newV)}`);
}

/** The changed fields under `root` (e.g. `spec`), one `-`/`+` pair per field, joined by newlines. */
export function describeChanges(oldV: unknown, newV: unknown, root: string): string {
  const out: string[] = [];
  collect(oldV, newV, root, out);
  return out.join('\n');
}
