/**
 * Schema-aware walks over objects for server-side apply, after structured-merge-diff's typed
 * package: the field set of an object, the merge of an applied configuration into a live object,
 * the comparison of two objects, and the removal of paths.
 *
 * Structs merge field by field; map-typed fields key by key; lists by their list semantics
 * (associative lists by their keys, sets by value, everything else atomic); scalars, atomic
 * structs and RawExtension-like values are leaves. Fields the schema does not know are treated as
 * untyped: objects merge key by key, lists are atomic.
 */
import { childOf, isAtomicType, listSemantics, type FieldPatchMeta, type ListSemantics, type TypeExpr } from '../../api/schema/index.js';
import { FieldSet, keyElement, pathString, type Path, type PathElement } from './fieldset.js';
import { clone, deepEqual, isObject, own, setOwn, type JsonObject } from './json-value.js';

/** A position in the schema: the type of the value there and the patch metadata of its field. */
export interface SchemaNode {
  type: TypeExpr | undefined;
  meta?: FieldPatchMeta;
}

/** A value that does not fit the schema (an associative-list item without its key). */
export class SchemaError extends Error {}

type Shape =
  | { kind: 'leaf' }
  | { kind: 'struct' }
  | { kind: 'map' }
  | { kind: 'list'; semantics: Exclude<ListSemantics, { kind: 'atomic' }>; elem: SchemaNode };

const LEAF: Shape = { kind: 'leaf' };

/** How a value at `node` is walked; untyped values are shaped by what they are. */
function shapeOf(node: SchemaNode, value: unknown): Shape {
  const t = node.type;
  if (!t) return isObject(value) ? { kind: 'map' } : LEAF;
  if (isAtomicType(t)) return LEAF;
  if (t.kind === 'object') return { kind: 'struct' };
  if (t.kind === 'map') return { kind: 'map' };
  if (t.kind === 'list') {
    const semantics = listSemantics(node.meta);
    if (semantics.kind === 'atomic' || t.of.kind === 'list') return LEAF;
    return { kind: 'list', semantics, elem: { type: t.of } };
  }
  return LEAF;
}

function childNode(node: SchemaNode, key: string): SchemaNode & { declared: boolean } {
  const info = childOf(node.type, key);
  return info ? { type: info.type, meta: info.meta, declared: info.declared } : { type: undefined, declared: false };
}

/** The path element of a list item: its key fields (defaults filled in) or, in a set, its value. */
function itemElement(shape: Extract<Shape, { kind: 'list' }>, item: unknown, index: number, path: Path): PathElement {
  const { semantics } = shape;
  if (semantics.kind === 'set' || semantics.keys.length === 0) return `v:${JSON.stringify(item)}`;
  if (!isObject(item)) throw new SchemaError(`${pathString(path)}: element ${index}: associative list with keys has an element that is not a map`);
  const key: Record<string, unknown> = {};
  for (const name of semantics.keys) {
    const v = item[name] ?? semantics.keyDefaults[name];
    if (v === undefined || v === null) {
      throw new SchemaError(`${pathString(path)}: element ${index}: associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`);
    }
    key[name] = v;
  }
  return keyElement(key);
}

/** Items of a list by path element, first occurrence winning, in list order. */
function indexItems(shape: Extract<Shape, { kind: 'list' }>, list: unknown[], path: Path): Map<PathElement, unknown> {
  const out = new Map<PathElement, unknown>();
  list.forEach((item, i) => {
    const pe = itemElement(shape, item, i, path);
    if (!out.has(pe)) out.set(pe, item);
  });
  return out;
}

// ---- field sets ----

/**
 * Every leaf and list item of `value` (structured-merge-diff ToFieldSet): scalars and atomic
 * values, list items, map-typed keys, and struct fields whose value is null or empty.
 */
export function toFieldSet(value: unknown, node: SchemaNode): FieldSet {
  const set = new FieldSet();
  collect(value, node, [], set);
  return set;
}

function collect(value: unknown, node: SchemaNode, path: Path, set: FieldSet): void {
  const shape = shapeOf(node, value);
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) {
      set.insert(path);
      return;
    }
    value.forEach((item, i) => {
      const itemPath = [...path, itemElement(shape, item, i, path)];
      collect(item, shape.elem, itemPath, set);
      set.insert(itemPath);
    });
    return;
  }
  if (shape.kind === 'leaf' || !isObject(value)) {
    if (path.length > 0) set.insert(path);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const child = childNode(node, key);
    const childPath = [...path, `f:${key}`];
    collect(v, child, childPath, set);
    if (v === null || (isObject(v) && Object.keys(v).length === 0) || !child.declared) set.insert(childPath);
  }
}

/**
 * The set plus every struct field on the way to its members (structured-merge-diff
 * EnsureNamedFieldsAreMembers): removing such a field then removes its whole subtree.
 */
export function withNamedFields(set: FieldSet, node: SchemaNode): FieldSet {
  const out = new FieldSet();
  out.member = set.member;
  const isStruct = node.type?.kind === 'object' && !isAtomicType(node.type);
  const listElem: SchemaNode = { type: node.type?.kind === 'list' ? node.type.of : undefined };
  for (const [pe, child] of set.children) {
    const isField = pe.startsWith('f:');
    const c = isField ? childNode(node, pe.slice(2)) : { ...listElem, declared: false };
    const ensured = withNamedFields(child, c);
    if (isStruct && isField && c.declared && child.children.size > 0) ensured.member = true;
    out.children.set(pe, ensured);
  }
  return out;
}

// ---- merge ----

/**
 * Merges an applied configuration into a live object (structured-merge-diff Merge): the applied
 * value wins at leaves, structs and maps merge, associative lists and sets merge item by item in
 * the applied order with live-only items kept in place. An applied `null` unsets the field.
 * Returns a new value (undefined: absent); throws SchemaError for items without their keys.
 */
export function mergeApplied(live: unknown, applied: unknown, node: SchemaNode, path: Path = []): unknown {
  if (applied === undefined) return live;
  if (applied === null) return undefined;
  if (live === undefined || live === null) return withoutNulls(applied);
  const shape = shapeOf(node, applied);
  if (shape.kind === 'list') {
    if (!Array.isArray(live) || !Array.isArray(applied)) return withoutNulls(applied);
    return mergeLists(live, applied, shape, path);
  }
  if (shape.kind === 'leaf' || !isObject(live) || !isObject(applied)) return withoutNulls(applied);
  const out: JsonObject = { ...live };
  for (const [key, v] of Object.entries(applied)) {
    const merged = mergeApplied(own(live, key), v, childNode(node, key), [...path, `f:${key}`]);
    if (merged === undefined) delete out[key];
    else setOwn(out, key, merged);
  }
  return out;
}

function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(withoutNulls);
  if (!isObject(v)) return clone(v);
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) setOwn(out, k, withoutNulls(x));
  return out;
}

/** The ordered merge of structured-merge-diff: the applied order wins for shared items. */
function mergeLists(live: unknown[], applied: unknown[], shape: Extract<Shape, { kind: 'list' }>, path: Path): unknown[] {
  const lhs = indexItems(shape, live, path);
  const rhs = indexItems(shape, applied, path);
  const lhsOrder = [...lhs.keys()];
  const rhsOrder = [...rhs.keys()];
  const shared = rhsOrder.filter((pe) => lhs.has(pe));
  let nextShared = shared.shift();
  const out: unknown[] = [];
  const emit = (pe: PathElement, l: unknown, r: unknown) => {
    const merged = mergeApplied(l, r, shape.elem, [...path, pe]);
    if (merged !== undefined) out.push(merged);
  };
  let l = 0;
  let r = 0;
  while (l < lhsOrder.length || r < rhsOrder.length) {
    if (l < lhsOrder.length && r < rhsOrder.length) {
      const pe = lhsOrder[l];
      if (pe === rhsOrder[r]) {
        emit(pe, lhs.get(pe), rhs.get(pe));
        l++;
        r++;
        nextShared = shared.shift();
        continue;
      }
      if (rhs.has(pe) && nextShared !== undefined && nextShared !== pe) {
        l++; // a shared item, emitted when the applied list reaches it
        continue;
      }
    }
    if (l < lhsOrder.length && !rhs.has(lhsOrder[l])) {
      const pe = lhsOrder[l++];
      emit(pe, lhs.get(pe), undefined);
      continue;
    }
    if (r < rhsOrder.length) {
      const pe = rhsOrder[r++];
      emit(pe, lhs.get(pe), rhs.get(pe));
      if (nextShared === pe) nextShared = shared.shift();
    } else {
      l++; // a shared item already emitted from the applied side
    }
  }
  return out;
}

// ---- comparison ----

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * What changed from `before` to `after` (structured-merge-diff Compare): leaves that appeared,
 * changed or disappeared, plus list items, lists and maps that appeared or disappeared. Struct
 * fields are not recorded themselves, only their leaves.
 */
export function compareObjects(before: unknown, after: unknown, node: SchemaNode): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(before, after, node, [], out);
  return out;
}

const isEmptyContainer = (v: unknown) => v === undefined || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

function compareAt(l: unknown, r: unknown, node: SchemaNode, path: Path, out: Comparison): void {
  if (l === undefined && r === undefined) return;
  const shape = shapeOf(node, r === undefined ? l : r);
  const container = shape.kind === 'list' ? Array.isArray : isObject;
  const leaf =
    shape.kind === 'leaf' ||
    (l !== undefined && !container(l)) ||
    (r !== undefined && !container(r)) ||
    (isEmptyContainer(l) && isEmptyContainer(r));
  if (leaf) {
    if (path.length === 0) return;
    if (l === undefined) out.added.insert(path);
    else if (r === undefined) out.removed.insert(path);
    else if (!deepEqual(l, r)) out.modified.insert(path);
    return;
  }
  if (shape.kind === 'list') {
    const lhs = indexItems(shape, (l as unknown[] | undefined) ?? [], path);
    const rhs = indexItems(shape, (r as unknown[] | undefined) ?? [], path);
    for (const pe of new Set([...lhs.keys(), ...rhs.keys()])) compareAt(lhs.get(pe), rhs.get(pe), shape.elem, [...path, pe], out);
  } else {
    const lo = (l as JsonObject | undefined) ?? {};
    const ro = (r as JsonObject | undefined) ?? {};
    for (const key of new Set([...Object.keys(lo), ...Object.keys(ro)])) compareAt(own(lo, key), own(ro, key), childNode(node, key), [...path, `f:${key}`], out);
  }
  // Struct fields are recorded through their leaves only (upstream records them when a pointer
  // struct appears, which the schema cannot tell apart); list items and maps are recorded.
  if (path.length === 0 || (shape.kind === 'struct' && path[path.length - 1].startsWith('f:'))) return;
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
}

// ---- removal ----

/** `value` without the member paths of `set` (whole subtrees go with them). Returns a new value. */
export function removePaths(value: unknown, set: FieldSet, node: SchemaNode, path: Path = []): unknown {
  if (set.children.size === 0) return value;
  const shape = shapeOf(node, value);
  if (shape.kind === 'list' && Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const child = set.children.get(itemElement(shape, item, i, path));
      if (child?.member) return;
      out.push(child ? removePaths(item, child, shape.elem, path) : item);
    });
    return out;
  }
  if ((shape.kind !== 'struct' && shape.kind !== 'map') || !isObject(value)) return value;
  const out: JsonObject = { ...value };
  for (const [pe, child] of set.children) {
    if (!pe.startsWith('f:')) continue;
    const key = pe.slice(2);
    if (!Object.hasOwn(out, key)) continue;
    if (child.member) delete out[key];
    else setOwn(out, key, removePaths(out[key], child, childNode(node, key), [...path, pe]));
  }
  return out;
}
