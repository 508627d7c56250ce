/**
 * Sets of field paths, as server-side apply tracks ownership (sigs.k8s.io/structured-merge-diff
 * fieldpath.Set), with upstream's FieldsV1 encoding:
 *
 *   {"f:spec":{"f:replicas":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}
 *
 * Path elements are kept in that spelling: `f:<field>`, `k:<json of the key fields>` for an item of
 * an associative list, `v:<json value>` for an item of a set, `i:<index>`. `"."` marks a path that
 * is itself in the set and also has members below it.
 */

/** One step of a field path, in FieldsV1 spelling. */
export type PathElement = string;
export type Path = PathElement[];

const KIND_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** upstream's total order of JSON values: numbers < strings < booleans < lists < maps < null. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : v === null ? 5 : 4);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (ra === 4) return compareFieldLists(Object.entries(a as object).sort(byName), Object.entries(b as object).sort(byName));
  return 0;
}

const byName = (x: [string, unknown], y: [string, unknown]) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);

function compareFieldLists(a: [string, unknown][], b: [string, unknown][]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i][0] !== b[i][0]) return a[i][0] < b[i][0] ? -1 : 1;
    const c = compareValues(a[i][1], b[i][1]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** upstream's order of path elements: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ka = KIND_RANK[a[0]] ?? 4;
  const kb = KIND_RANK[b[0]] ?? 4;
  if (ka !== kb) return ka - kb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  switch (a[0]) {
    case 'f':
      return ra === rb ? 0 : ra < rb ? -1 : 1;
    case 'k':
      return compareFieldLists(Object.entries(JSON.parse(ra)), Object.entries(JSON.parse(rb)));
    case 'v':
      return compareValues(JSON.parse(ra), JSON.parse(rb));
    default:
      return Number(ra) - Number(rb);
  }
}

/** A key path element for an associative-list item with these key fields (sorted by name). */
export function keyElement(fields: Record<string, unknown>): PathElement {
  const sorted = Object.fromEntries(Object.entries(fields).sort(byName));
  return `k:${JSON.stringify(sorted)}`;
}

/** Renders a path as upstream prints it in conflicts: `.spec.containers[name="nginx"].image`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      const rest = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${rest}`;
        case 'k':
          return `[${Object.entries(JSON.parse(rest) as Record<string, unknown>)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        case 'v':
          return `[=${rest}]`;
        default:
          return `[${rest}]`;
      }
    })
    .join('');
}

/** Whether `pe` is a well-formed path element (key elements hold a JSON object, values JSON). */
function validElement(pe: string): boolean {
  const rest = pe.slice(2);
  switch (pe.slice(0, 2)) {
    case 'f:':
      return true;
    case 'i:':
      return /^(0|[1-9][0-9]*)$/.test(rest);
    case 'k:':
    case 'v:':
      try {
        const v: unknown = JSON.parse(rest);
        return pe[0] === 'v' || (typeof v === 'object' && v !== null && !Array.isArray(v));
      } catch {
        return false;
      }
    default:
      return false;
  }
}

/** Thrown by FieldSet.fromFieldsV1 for a document that is not a FieldsV1 encoding. */
export class FieldsV1Error extends Error {}

/** A set of paths; each node is the set of paths below one path element. Build, then treat as immutable. */
export class FieldSet {
  /** Whether the path leading to this node is itself in the set. */
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  /** Adds `path` (an empty path marks this node itself). */
  insert(path: Path): this {
    if (path.length === 0) {
      this.member = true;
      return this;
    }
    let child = this.children.get(path[0]);
    if (!child) this.children.set(path[0], (child = new FieldSet()));
    child.insert(path.slice(1));
    return this;
  }

  has(path: Path): boolean {
    if (path.length === 0) return this.member;
    return this.children.get(path[0])?.has(path.slice(1)) ?? false;
  }

  isEmpty(): boolean {
    return !this.member && this.children.size === 0;
  }

  private combine(other: FieldSet, keepMember: (a: boolean, b: boolean) => boolean, keepChild: 'left' | 'both' | 'either'): FieldSet {
    const out = new FieldSet();
    out.member = keepMember(this.member, other.member);
    const empty = new FieldSet();
    const keys = new Set([...this.children.keys(), ...(keepChild === 'either' ? other.children.keys() : [])]);
    for (const pe of keys) {
      const a = this.children.get(pe);
      const b = other.children.get(pe);
      if (keepChild === 'both' && (!a || !b)) continue;
      const child = (a ?? empty).combine(b ?? empty, keepMember, keepChild);
      if (!child.isEmpty()) out.children.set(pe, child);
    }
    return out;
  }

  union(other: FieldSet): FieldSet {
    return this.combine(other, (a, b) => a || b, 'either');
  }

  difference(other: FieldSet): FieldSet {
    return this.combine(other, (a, b) => a && !b, 'left');
  }

  intersection(other: FieldSet): FieldSet {
    return this.combine(other, (a, b) => a && b, 'both');
  }

  /** The set without the paths for which `drop` answers true, nor anything below them. */
  filter(drop: (path: Path) => boolean, prefix: Path = []): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, child] of this.children) {
      const path = [...prefix, pe];
      if (drop(path)) continue;
      const kept = child.filter(drop, path);
      if (!kept.isEmpty()) out.children.set(pe, kept);
    }
    return out;
  }

  private sortedChildren(): [PathElement, FieldSet][] {
    return [...this.children].sort((a, b) => comparePathElements(a[0], b[0]));
  }

  /** Member paths in upstream's iteration order: the members of a level before the levels below it. */
  paths(prefix: Path = []): Path[] {
    const sorted = this.sortedChildren();
    const out: Path[] = sorted.filter(([, c]) => c.member).map(([pe]) => [...prefix, pe]);
    for (const [pe, child] of sorted) if (child.children.size > 0) out.push(...child.paths([...prefix, pe]));
    return out;
  }

  /** The FieldsV1 encoding, keys in upstream's order. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [pe, child] of this.sortedChildren()) {
      const inner = child.toFieldsV1();
      out[pe] = child.member && child.children.size > 0 ? { '.': {}, ...inner } : inner;
    }
    return out;
  }

  /** Decodes a FieldsV1 document; throws FieldsV1Error for anything else. */
  static fromFieldsV1(doc: unknown): FieldSet {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FieldsV1Error('FieldsV1 must be an object');
    const set = new FieldSet();
    for (const [key, value] of Object.entries(doc)) {
      if (key === '.') {
        set.member = true;
        continue;
      }
      if (!validElement(key)) throw new FieldsV1Error(`unknown path element ${JSON.stringify(key)}`);
      const child = FieldSet.fromFieldsV1(value);
      if (child.children.size === 0) child.member = true;
      set.children.set(key, child);
    }
    return set;
  }
}
