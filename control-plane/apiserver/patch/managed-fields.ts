/**
 * metadata.managedFields: decoding and encoding the entries, the field filters every manager's
 * set goes through, and ownership tracking for ordinary (non-apply) writes.
 *
 * Managers are keyed like upstream's manager identifiers: the JSON of {manager, operation,
 * apiVersion (Update only), subresource}. One entry per identifier; an Update entry records the
 * fields its writes changed, an Apply entry the fields its last applied configuration set.
 */
import { typeOfKind } from '../../api/schema/index.js';
import { FieldSet, type Path } from './fieldset.js';
import { isObject, type JsonObject } from './json-value.js';
import { SchemaError, compareObjects, type SchemaNode } from './typed.js';

export type Operation = 'Apply' | 'Update';

/** One manager's entry, decoded. */
export interface ManagedEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 seconds; absent when the entry never changed the object. */
  time?: string;
  fields: FieldSet;
}

/** Entries by manager identifier. */
export type Managers = Map<string, ManagedEntry>;

/** upstream's manager identifier; apply entries are one per manager whatever the apiVersion. */
export function managerIdentifier(e: Pick<ManagedEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: JsonObject = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** How upstream names a manager in conflict messages: `"kubectl"`, `"x" using apps/v1`. */
export function describeManager(e: Pick<ManagedEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** Decodes metadata.managedFields; throws an Error for anything upstream would not decode. */
export function decodeManagedFields(list: unknown): Managers {
  const managers: Managers = new Map();
  if (list === undefined || list === null) return managers;
  if (!Array.isArray(list)) throw new Error('managedFields must be a list');
  list.forEach((raw, i) => {
    if (!isObject(raw)) throw new Error(`managed fields entry ${i} is not an object`);
    if (raw.operation !== 'Apply' && raw.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof raw.apiVersion !== 'string' || raw.apiVersion === '') throw new Error('apiVersion must not be empty');
    if (raw.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(raw.fieldsType ?? '')} in managed fields entry ${i}`);
    const entry: ManagedEntry = {
      manager: typeof raw.manager === 'string' ? raw.manager : '',
      operation: raw.operation,
      apiVersion: raw.apiVersion,
      fields: raw.fieldsV1 === undefined || raw.fieldsV1 === null ? new FieldSet() : FieldSet.fromFieldsV1(raw.fieldsV1),
    };
    if (typeof raw.subresource === 'string' && raw.subresource) entry.subresource = raw.subresource;
    if (typeof raw.time === 'string') entry.time = raw.time;
    managers.set(managerIdentifier(entry), entry);
  });
  return managers;
}

/** Decodes, answering no managers for an undecodable list. */
export function decodeManagedFieldsOrEmpty(list: unknown): Managers {
  try {
    return decodeManagedFields(list);
  } catch {
    return new Map();
  }
}

/** Encodes the entries in upstream's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Managers): JsonObject[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const entries = [...managers.values()].filter((e) => !e.fields.isEmpty());
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries.map((e) => {
    const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.fields.toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function formatTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/** Fields no manager owns: type meta and server-set metadata (upstream's stripMetaManager). */
const STRIPPED = ['apiVersion', 'kind', 'metadata', 'metadata.name', 'metadata.namespace', 'metadata.creationTimestamp', 'metadata.selfLink', 'metadata.uid', 'metadata.clusterName', 'metadata.generation', 'metadata.managedFields', 'metadata.resourceVersion'];
const STRIPPED_SET = STRIPPED.reduce((set, p) => set.insert(toPath(p)), new FieldSet());

function toPath(dotted: string): Path {
  return dotted.split('.').map((f) => `f:${f}`);
}

/**
 * A manager's view of a field set: without the stripped fields and without anything under the
 * reset fields (`status` for the main resource, `spec` for /status: what the endpoint ignores).
 */
export function ownedFields(set: FieldSet, resetFields: readonly string[] = []): FieldSet {
  const prefixes = resetFields.map(toPath);
  const stripped = set.difference(STRIPPED_SET);
  if (prefixes.length === 0) return stripped;
  return stripped.filter((path) => prefixes.some((p) => p.length === path.length && p.every((pe, i) => pe === path[i])));
}

/** The schema root for an object: its model from `typeName` or from its own apiVersion/kind. */
export function rootNode(obj: unknown, typeName?: string): SchemaNode {
  let name = typeName;
  if (!name && isObject(obj) && typeof obj.apiVersion === 'string' && typeof obj.kind === 'string') {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/', 2) : ['', obj.apiVersion];
    name = typeOfKind(group, version, obj.kind);
  }
  return { type: name ? { kind: 'object', name } : undefined };
}

/** A copy of `obj` without metadata.managedFields. */
export function withoutManagedFields(obj: JsonObject): JsonObject {
  if (!isObject(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

/** A copy of `obj` carrying the encoded managers (none: no managedFields at all). */
export function withManagers(obj: JsonObject, managers: Managers): JsonObject {
  const encoded = encodeManagedFields(managers);
  const out = withoutManagedFields(obj);
  if (encoded.length === 0) return out;
  return { ...out, metadata: { ...(isObject(out.metadata) ? out.metadata : {}), managedFields: encoded } };
}

export interface UpdateArgs {
  /** The stored object; undefined on create. */
  oldObj?: JsonObject;
  /** The object about to be stored (after defaulting). */
  newObj: JsonObject;
  manager: string;
  /** The apiVersion of the request. */
  apiVersion: string;
  now: Date;
  /** The model of the objects (schema/typeOfKind); derived from newObj's apiVersion/kind when absent. */
  typeName?: string;
  /** `status`, `scale`... for writes through a subresource. */
  subresource?: string;
  /** Top-level paths the endpoint ignores (`status` on the main resource, `spec` on /status). */
  resetFields?: readonly string[];
}

/**
 * Records ownership for a create, update or non-apply patch (upstream's Update operation): the
 * fields the write added or changed move to `manager`'s Update entry (stamped `now`), fields it
 * removed leave every entry, entries left empty disappear. A write that sends managedFields of its
 * own (decodable, non-empty, not through a subresource) replaces the stored ones first.
 * Returns a copy of newObj with the new managedFields; pure, never throws.
 */
export function updateManagedFields(args: UpdateArgs): JsonObject {
  const { oldObj, newObj, manager, apiVersion, now, subresource, resetFields } = args;
  let managers: Managers | undefined;
  if (!subresource && Array.isArray(newObj.metadata?.managedFields) && newObj.metadata.managedFields.length > 0) {
    managers = decodeManagedFieldsOrEmpty(newObj.metadata.managedFields);
  }
  if (!managers || managers.size === 0) managers = decodeManagedFieldsOrEmpty(oldObj?.metadata?.managedFields);

  const after = withoutManagedFields(newObj);
  let changed: FieldSet;
  let removed: FieldSet;
  try {
    const cmp = compareObjects(oldObj ? withoutManagedFields(oldObj) : {}, after, rootNode(newObj, args.typeName));
    changed = ownedFields(cmp.added.union(cmp.modified), resetFields);
    removed = ownedFields(cmp.removed, resetFields);
  } catch (err) {
    // Upstream drops managedFields when it cannot compute them, rather than failing the write.
    if (err instanceof SchemaError) return after;
    throw err;
  }

  const next: Managers = new Map();
  for (const [id, entry] of managers) {
    const fields = entry.fields.difference(changed).difference(removed);
    if (!fields.isEmpty()) next.set(id, { ...entry, fields });
  }
  if (!changed.isEmpty()) {
    const key: Omit<ManagedEntry, 'fields'> = { manager, operation: 'Update', apiVersion, ...(subresource ? { subresource } : {}) };
    const id = managerIdentifier(key);
    const previous = next.get(id)?.fields ?? new FieldSet();
    next.set(id, { ...key, time: formatTime(now), fields: previous.union(changed) });
  }
  return withManagers(after, next);
}
