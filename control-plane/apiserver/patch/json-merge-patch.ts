/** JSON merge patch (RFC 7386), as `Content-Type: application/merge-patch+json` requests use it. */
import { badRequest } from '../../api/status.js';
import { clone, isObject, own, setOwn, type JsonObject } from './json-value.js';

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, merge(own(out, key), value));
  }
  return out;
}

/**
 * Applies a merge patch to an object and returns the result; neither input is modified. Objects
 * merge recursively, `null` deletes a key, everything else (lists included) replaces.
 *
 * Throws a 400 BadRequest StatusError when the patch is not a JSON object: every patched resource
 * is an object, and upstream rejects such patches as "Invalid JSON Patch" or as undecodable.
 */
export function applyMergePatch(target: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  return merge(target, patch) as JsonObject;
}
