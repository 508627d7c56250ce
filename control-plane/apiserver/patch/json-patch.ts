/**
 * JSON patch (RFC 6902), as `Content-Type: application/json-patch+json` requests use it (kubectl
 * `rollout undo`). Errors follow upstream's API server: a body that is not a list of operations is
 * a 400 BadRequest, more than 10000 operations a 413, and an operation that cannot be applied
 * (missing path, failed `test`, unknown op) a 422 Invalid with upstream's generic message and the
 * specific reason as the error's `cause`.
 */
import { StatusError, badRequest } from '../../api/status.js';
import { clone, deepEqual, isObject, setOwn, type JsonObject } from './json-value.js';

/** Upstream's limit on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Why an operation failed; the API answers upstream's generic 422 for all of them. */
class OperationError extends Error {}

/** Upstream's 422 for an inapplicable operation; the specific reason rides along as `cause` (for logs). */
function invalidPatch(reason: OperationError): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  err.cause = reason;
  return err;
}

/** Splits a JSON pointer into unescaped reference tokens (`~1` is `/`, `~0` is `~`). */
function parsePointer(pointer: unknown, what: string): string[] {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) throw new OperationError(`${what} operation failed to decode path`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container (object or array) holding the last token of `tokens`, or undefined. */
function parentOf(doc: unknown, tokens: string[]): unknown {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = arrayIndex(token, node.length - 1);
      if (i === undefined) return undefined;
      node = node[i];
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  return Array.isArray(node) || isObject(node) ? node : undefined;
}

/** A decimal array index no greater than `max`, or undefined. */
function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function missing(op: string, pointer: string): OperationError {
  return new OperationError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
}

function getValue(doc: unknown, tokens: string[], op: string, pointer: string): unknown {
  const parent = parentOf(doc, tokens);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length - 1);
    if (i !== undefined) return parent[i];
  } else if (isObject(parent) && Object.hasOwn(parent, key)) {
    return parent[key];
  }
  throw missing(op, pointer);
}

function addValue(doc: unknown, tokens: string[], value: unknown, op: string, pointer: string): void {
  const parent = parentOf(doc, tokens);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : arrayIndex(key, parent.length);
    if (i === undefined) throw new OperationError(`${op} operation does not apply: index out of range: "${pointer}"`);
    parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    setOwn(parent, key, value);
  } else {
    throw missing(op, pointer);
  }
}

function removeValue(doc: unknown, tokens: string[], op: string, pointer: string): unknown {
  const value = getValue(doc, tokens, op, pointer);
  const parent = parentOf(doc, tokens) as JsonObject | unknown[];
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

function applyOne(doc: JsonObject, op: JsonObject): void {
  const kind = op.op;
  const value = op.value === undefined ? null : op.value;
  switch (kind) {
    case 'add':
      addValue(doc, parsePointer(op.path, kind), clone(value), kind, op.path);
      return;
    case 'remove':
      removeValue(doc, parsePointer(op.path, kind), kind, op.path);
      return;
    case 'replace': {
      const tokens = parsePointer(op.path, kind);
      removeValue(doc, tokens, kind, op.path);
      addValue(doc, tokens, clone(value), kind, op.path);
      return;
    }
    case 'move': {
      const from = parsePointer(op.from, kind);
      const to = parsePointer(op.path, kind);
      if (op.path !== op.from && String(op.path).startsWith(`${op.from}/`)) {
        throw new OperationError(`move operation does not apply: "${op.path}" is a child of "${op.from}"`);
      }
      const moved = removeValue(doc, from, kind, op.from);
      addValue(doc, to, moved, kind, op.path);
      return;
    }
    case 'copy':
      addValue(doc, parsePointer(op.path, kind), clone(getValue(doc, parsePointer(op.from, kind), kind, op.from)), kind, op.path);
      return;
    case 'test': {
      const tokens = parsePointer(op.path, kind);
      let actual: unknown;
      try {
        actual = getValue(doc, tokens, kind, op.path);
      } catch {
        actual = undefined;
      }
      if (!deepEqual(actual === undefined ? null : actual, value)) throw new OperationError(`testing value ${op.path} failed: test failed`);
      return;
    }
    default:
      throw new OperationError(`Unexpected kind: ${String(kind)}`);
  }
}

/**
 * Applies the operations in order to a copy of `target` and returns it; `target` is not modified.
 * Throws StatusErrors only (see the module comment for which).
 */
export function applyJsonPatch(target: JsonObject, ops: unknown): JsonObject {
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${ops === null ? 'null' : isObject(ops) ? 'object' : typeof ops} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  const doc = clone(target);
  for (const op of ops as JsonObject[]) {
    try {
      applyOne(doc, op);
    } catch (err) {
      if (err instanceof OperationError) throw invalidPatch(err);
      throw err;
    }
  }
  return doc;
}
