/**
 * Strategic merge patch (`Content-Type: application/strategic-merge-patch+json`) with upstream's
 * semantics (k8s.io/apimachinery/pkg/util/strategicpatch, as the API server applies it):
 *
 * - maps merge recursively and `null` deletes a key;
 * - lists whose field has patch strategy `merge` merge: lists of objects by the patch merge key,
 *   lists of scalars as sets; other lists, and lists of fields the schema does not know, replace;
 * - directives: `$patch: replace|delete` in a map or a list item, `$retainKeys`,
 *   `$setElementOrder/<list>` (the merged list follows that order, server-only items keep their
 *   place) and `$deleteFromPrimitiveList/<list>`.
 *
 * Malformed patches raise StatusErrors: 400 BadRequest with upstream's message for bad directives
 * (upstream answers some of these with a 500), 422 Invalid for lists of lists, as upstream does.
 */
import { StatusError, badRequest } from '../../api/status.js';
import { childOf, type FieldInfo, type TypeExpr } from '../../api/schema/index.js';
import { clone, goFormat, goTypeName, isObject, setOwn, type JsonObject } from './json-value.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER_PREFIX = '$setElementOrder';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList';

type ElementKind = 'object' | 'scalar';

// ---- upstream's errors (mergepatch package) ----

function unprocessable(message: string): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  err.cause = new Error(message);
  return err;
}

const badArgType = (expected: unknown, actual: unknown) => badRequest(`expected a ${goTypeName(expected)}, but received a ${goTypeName(actual)}`);
const noMergeKey = (m: unknown, key: string) => badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const badPatchType = (t: unknown, m: unknown) => badRequest(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

// ---- schema lookups ----

interface ListMeta {
  /** The patch strategy without retainKeys: 'merge', 'replace' or ''. */
  strategy: string;
  mergeKey: string;
  elem: TypeExpr | undefined;
}

function strategyOf(info: FieldInfo | undefined): string {
  const parts = (info?.meta.patchStrategy ?? '').split(',').filter((s) => s && s !== 'retainKeys');
  return parts[0] ?? '';
}

function listMetaOf(info: FieldInfo | undefined): ListMeta {
  return {
    strategy: strategyOf(info),
    mergeKey: info?.meta.patchMergeKey ?? '',
    elem: info?.type.kind === 'list' ? info.type.of : undefined,
  };
}

/** The key after `<prefix>/`, or upstream's format error for that directive. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(prefix === SET_ORDER_PREFIX ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list');
  }
  return key.slice(slash + 1);
}

// ---- maps ----

/** Merges `patch` into a copy of `original` (absent: empty); never modifies its arguments. */
function mergeMap(original: JsonObject | undefined, patchIn: JsonObject, type: TypeExpr | undefined): JsonObject {
  if (DIRECTIVE in patchIn) return handleDirectiveInMap(patchIn[DIRECTIVE], patchIn, type);
  const out: JsonObject = { ...(original ?? {}) };
  const patch: JsonObject = { ...patchIn };
  applyRetainKeys(out, patch);
  applySetElementOrders(out, patch, type);

  for (const [rawKey, patchValue] of Object.entries(patch)) {
    const isDeleteList = rawKey.startsWith(DELETE_PRIMITIVE_PREFIX);
    const key = isDeleteList ? extractKey(rawKey, DELETE_PRIMITIVE_PREFIX) : rawKey;
    if (patchValue === null) {
      delete out[key];
      continue;
    }
    const info = childOf(type, key);
    if (!Object.hasOwn(out, key)) {
      if (!isDeleteList) setOwn(out, key, fresh(patchValue, info));
      continue;
    }
    const current = out[key];
    if (isObject(current) && isObject(patchValue)) {
      setOwn(out, key, strategyOf(info) === 'replace' ? fresh(patchValue, info) : mergeMap(current, patchValue, info?.type));
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      setOwn(out, key, mergeListHandler(current, patchValue, listMetaOf(info), isDeleteList));
    } else if (!isDeleteList) {
      setOwn(out, key, fresh(patchValue, info));
    }
  }
  return out;
}

/**
 * A patch value that lands where the original has nothing. Upstream stores it as sent; this
 * applies its directives to nothing instead, so that no `$patch`-like keys reach the object.
 */
function fresh(value: unknown, info: FieldInfo | undefined): unknown {
  if (isObject(value)) return mergeMap(undefined, value, info?.type);
  if (Array.isArray(value)) {
    const meta = listMetaOf(info);
    const keyed = meta.strategy === 'merge' && meta.mergeKey !== '' && value.every((v) => isObject(v) && meta.mergeKey in v);
    if (keyed && value.length > 0) return mergeList([], value, meta, false);
  }
  return clone(value);
}

function handleDirectiveInMap(directive: unknown, patch: JsonObject, type: TypeExpr | undefined): JsonObject {
  if (directive === 'replace') {
    const rest = { ...patch };
    delete rest[DIRECTIVE];
    return mergeMap(undefined, rest, type);
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

/** `$retainKeys`: drops keys of `out` the list does not name; every key the patch sets must be named. */
function applyRetainKeys(out: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest('invalid patch format of retainKeys');
  const retained = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX)) continue;
    if (!retained.has(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(out)) if (!retained.has(k)) delete out[k];
}

/**
 * `$setElementOrder/<list>`: merges `<list>` (if the patch has it) and orders the result by the
 * directive; items the directive does not name keep their relative place from the original.
 * Consumes the directive and the list from `patch`.
 */
function applySetElementOrders(out: JsonObject, patch: JsonObject, type: TypeExpr | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ORDER_PREFIX)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw badArgType([], order);
    const key = extractKey(directiveKey, SET_ORDER_PREFIX);
    const hasOriginal = Object.hasOwn(out, key);
    const hasPatch = Object.hasOwn(patch, key);
    if (hasOriginal && !Array.isArray(out[key])) throw badArgType([], out[key]);
    if (hasPatch && !Array.isArray(patch[key])) throw badArgType([], patch[key]);
    const original: unknown[] = hasOriginal ? out[key] : [];
    const patchList: unknown[] = hasPatch ? patch[key] : [];
    const meta = listMetaOf(childOf(type, key));
    validatePatchWithSetOrder(patchList, order, meta.mergeKey);

    let merged: unknown[];
    if (hasOriginal && hasPatch) merged = mergeListHandler(original, patchList, meta, false);
    else if (hasPatch) merged = mergeListHandler([], patchList, meta, false);
    else if (hasOriginal) merged = original;
    else continue;
    delete patch[key];

    if (merged.length > 0) {
      const kind = elementKind([original, patchList]);
      const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey);
      merged = normalizeElementOrder(inOrder, serverOnly, order, original, meta.mergeKey, kind);
    }
    setOwn(out, key, merged);
  }
}

/** The patch list's items (deletions aside) must appear in the `$setElementOrder` list, in its order. */
function validatePatchWithSetOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = mergeKey ? splitDeletions(patchList)[0] : patchList;
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    while (p < items.length && hasDirective(items[p])) p++;
    if (p < items.length && mergeKeyValueEqual(items[p], order[s], mergeKey)) p++;
  }
  if (p < items.length) {
    throw badRequest(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ORDER_PREFIX} list:\n${goFormat(order)}\n`);
  }
}

const hasDirective = (item: unknown) => isObject(item) && DIRECTIVE in item;

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw badArgType({}, left);
  if (!isObject(right)) throw badArgType({}, right);
  if (!(mergeKey in left)) throw noMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

// ---- lists ----

function mergeListHandler(original: unknown[], patch: unknown[], meta: ListMeta, isDeleteList: boolean): unknown[] {
  if (meta.strategy !== 'merge') return clone(patch);
  return mergeList(original, patch, meta, isDeleteList);
}

/** The common kind of the items of `lists`; lists of lists and mixed lists are refused. */
function elementKind(lists: unknown[][]): ElementKind {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = Array.isArray(item) ? 'array' : isObject(item) ? 'object' : item === null ? 'null' : typeof item;
      if (kind === undefined && k === 'array') throw unprocessable('lists of lists are not supported');
      if (kind !== undefined && kind !== k) throw badRequest(`list element types are not identical: ${goFormat(lists)}`);
      kind = k;
    }
  }
  return kind === 'object' ? 'object' : 'scalar';
}

function mergeList(originalIn: unknown[], patchIn: unknown[], meta: ListMeta, isDeleteList: boolean): unknown[] {
  if (originalIn.length === 0 && patchIn.length === 0) return [];
  const kind = elementKind([originalIn, patchIn]);
  let original = originalIn;
  let patch = patchIn;
  let merged: unknown[];
  if (kind === 'scalar') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!meta.mergeKey) throw badRequest('cannot merge lists without merge key for type map');
    [original, patch] = applyListDirectives(original as JsonObject[], patch as JsonObject[], meta);
    merged = mergeByKey(original as JsonObject[], patch as JsonObject[], meta);
  }
  const [inPatch, serverOnly] = partition(merged, patch, meta.mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, patch, original, meta.mergeKey, kind);
}

/** Applies `$patch: delete|replace` items; returns the new original and the patch without them. */
function applyListDirectives(original: JsonObject[], patch: JsonObject[], meta: ListMeta): [JsonObject[], JsonObject[]] {
  const rest: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!(DIRECTIVE in item)) {
      rest.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!(meta.mergeKey in item)) throw noMergeKey(item, meta.mergeKey);
      original = original.filter((o) => !(isObject(o) && meta.mergeKey in o && o[meta.mergeKey] === item[meta.mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  if (replace) return [rest.map((item) => mergeMap(undefined, item, meta.elem)), []];
  return [original, rest];
}

function mergeByKey(original: JsonObject[], patch: JsonObject[], meta: ListMeta): JsonObject[] {
  const out = [...original];
  for (const item of patch) {
    if (!(meta.mergeKey in item)) throw noMergeKey(item, meta.mergeKey);
    const i = findByKey(out, meta.mergeKey, item[meta.mergeKey]);
    if (i >= 0) out[i] = mergeMap(out[i], item, meta.elem);
    else out.push(mergeMap(undefined, item, meta.elem));
  }
  return out;
}

function findByKey(list: unknown[], mergeKey: string, value: unknown): number {
  return list.findIndex((v, i) => {
    if (!isObject(v)) throw badRequest(`value for key ${i} is not a map.`);
    return mergeKey in v && v[mergeKey] === value;
  });
}

/** Splits `items` into those present in `by` (by merge key, or by value for scalars) and the rest. */
function partition(items: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of items) {
    let found: boolean;
    if (!mergeKey) {
      found = by.includes(item);
    } else {
      if (!isObject(item)) throw badArgType({}, item);
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      found = findByKey(by, mergeKey, item[mergeKey]) >= 0;
    }
    (found ? present : rest).push(item);
  }
  return [present, rest];
}

function splitDeletions(items: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const deletions: unknown[] = [];
  for (const item of items) {
    if (!isObject(item)) throw badArgType({}, item);
    (item[DIRECTIVE] === 'delete' ? deletions : keep).push(item);
  }
  return [keep, deletions];
}

/** Position of `item` in `list` (by merge key for objects), or -1. */
function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  if (kind !== 'object') return list.indexOf(item);
  const want = isObject(item) ? item[mergeKey] : undefined;
  return list.findIndex((v) => (isObject(v) ? v[mergeKey] : undefined) === want);
}

/**
 * Sorts `toSort` by the positions in `order`, as upstream's stable sort does with its comparator
 * (items missing from `order` compare as "less"), deletion directives last.
 */
function normalizeSliceOrder(toSortIn: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let toSort = toSortIn;
  let deletions: unknown[] = [];
  if (kind === 'object') {
    for (const item of [...toSort, ...order]) {
      if (!isObject(item)) throw badArgType({}, item);
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    }
    [toSort, deletions] = splitDeletions(toSort);
  }
  const sorted = [...toSort];
  const less = (a: unknown, b: unknown) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0 && less(sorted[j], sorted[j - 1]); j--) [sorted[j], sorted[j - 1]] = [sorted[j - 1], sorted[j]];
  }
  return [...sorted, ...deletions];
}

/**
 * Orders patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves
 * them: a server-only item goes before a patch item when both are in the original and it came first.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnlyItems: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnlyItems, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Applies a strategic merge patch to `original` and returns the result; neither input is
 * modified. `typeName` is the model of `original` (schema/typeOfKind); without one (or for
 * fields the schema does not know) maps merge and lists are replaced.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: unknown, typeName: string | undefined): JsonObject {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch} into Go value of type map[string]interface {}`);
  }
  // The merge shares untouched subtrees with `original`; the copy keeps callers from aliasing it.
  return clone(mergeMap(original, patch, typeName ? { kind: 'object', name: typeName } : undefined));
}
