/**
 * Server-side apply (`Content-Type: application/apply-patch+yaml`), after upstream's field manager
 * and structured-merge-diff:
 *
 * 1. the applied configuration merges into the live object (typed.ts mergeApplied);
 * 2. the applier's entry becomes exactly the fields its configuration sets;
 * 3. fields the applier set last time and no longer sets are removed, unless another manager
 *    owns them;
 * 4. fields owned by other managers that the result adds or changes are conflicts: without
 *    `force` the apply fails with 409 Conflict naming them, with `force` they move to the applier.
 *    Fields the result removes leave every manager.
 *
 * As upstream does for the manager `kubectl`, conflicts on fields that kubectl's last-applied
 * annotation still describes are forced (client-side to server-side apply upgrade), and that
 * annotation is kept in step with the applied configuration. The fields of an object without
 * managedFields belong to "before-first-apply" before the first apply.
 */
import { StatusError, badRequest } from '../../api/status.js';
import { kindsOfType } from '../../api/schema/index.js';
import { FieldSet, pathString, type Path } from './fieldset.js';
import { clone, deepEqual, isObject, type JsonObject } from './json-value.js';
import {
  decodeManagedFieldsOrEmpty,
  describeManager,
  formatTime,
  managerIdentifier,
  ownedFields,
  rootNode,
  withManagers,
  withoutManagedFields,
  updateManagedFields,
  type ManagedEntry,
  type Managers,
} from './managed-fields.js';
import { SchemaError, compareObjects, mergeApplied, removePaths, toFieldSet, withNamedFields, type SchemaNode } from './typed.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyArgs {
  /** The stored object in the request's version; undefined when the apply creates it. */
  live: JsonObject | undefined;
  /** The decoded request body. */
  applied: unknown;
  /** The fieldManager query parameter (required for apply). */
  manager: string;
  force: boolean;
  /** The model of the object (schema/typeOfKind); derived from the applied apiVersion/kind when absent. */
  typeName?: string;
  /** The apiVersion of the endpoint; the applied object must carry it. */
  apiVersion: string;
  now: Date;
  /** `status`... for applies through a subresource. */
  subresource?: string;
  /** Top-level paths the endpoint ignores (`status` on the main resource, `spec` on /status). */
  resetFields?: readonly string[];
}

export interface ApplyResult {
  /** The object to store, with its managedFields. */
  object: JsonObject;
}

interface Conflict {
  id: string;
  entry: ManagedEntry;
  path: Path;
}

/** Raised inside one apply attempt; turned into upstream's 409 at the end. */
class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.entry)}`, field: pathString(c.path) }));
  if (conflicts.length === 1) {
    const c = conflicts[0];
    return new StatusError(409, 'Conflict', `Apply failed with 1 conflict: conflict with ${describeManager(c.entry)}: ${pathString(c.path)}`, { causes });
  }
  const lines: string[] = [];
  let current: string | undefined;
  for (const c of conflicts) {
    if (c.id !== current) lines.push(`conflicts with ${describeManager(c.entry)}:`);
    current = c.id;
    lines.push(`- ${pathString(c.path)}`);
  }
  return new StatusError(409, 'Conflict', `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, { causes });
}

function splitApiVersion(apiVersion: unknown): [string, string] {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = s.indexOf('/');
  return slash < 0 ? ['', s] : [s.slice(0, slash), s.slice(slash + 1)];
}

/** Refuses bodies upstream's apply refuses before merging anything. */
function checkApplied(args: ApplyArgs, typeName: string | undefined): JsonObject {
  const { applied, apiVersion } = args;
  if (!isObject(applied)) throw badRequest('error decoding YAML: the apply patch must be an object');
  if (isObject(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const [group, version] = splitApiVersion(applied.apiVersion);
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  const [wantGroup, wantVersion] = splitApiVersion(apiVersion);
  const kinds = typeName ? kindsOfType(typeName).filter((k) => k.group === wantGroup && k.version === wantVersion) : [];
  if (applied.apiVersion !== apiVersion || (kinds.length > 0 && !kinds.some((k) => k.kind === kind))) {
    throw badRequest(`invalid object type: ${group}/${version}, Kind=${kind}`);
  }
  return applied;
}

function unionOf(managers: Managers): FieldSet {
  let all = new FieldSet();
  for (const e of managers.values()) all = all.union(e.fields);
  return all;
}

/**
 * Removes what the applier owned last time and no longer applies, keeping what other managers
 * (or the new configuration) own (structured-merge-diff's prune with its add-back passes).
 */
function prune(merged: unknown, managers: Managers, lastSet: FieldSet | undefined, root: SchemaNode): unknown {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const named = (s: FieldSet) => withNamedFields(s, root);
  const last = named(lastSet);
  const mergedSet = named(toFieldSet(merged, root));
  const first = removePaths(merged, last, root);
  const kept = named(toFieldSet(first, root)).union(named(unionOf(managers)));
  const second = removePaths(merged, mergedSet.difference(kept), root);
  const dropped = mergedSet.difference(named(toFieldSet(second, root))).intersection(last);
  return removePaths(merged, dropped, root);
}

/** One apply attempt; throws ApplyConflicts when `force` is false and other managers own changed fields. */
function applyOnce(live: JsonObject, applied: JsonObject, managersIn: Managers, args: ApplyArgs, root: SchemaNode, force: boolean): JsonObject {
  const key = { manager: args.manager, operation: 'Apply' as const, apiVersion: args.apiVersion, ...(args.subresource ? { subresource: args.subresource } : {}) };
  const id = managerIdentifier(key);
  const managers: Managers = new Map(managersIn);
  const lastSet = managers.get(id)?.fields;
  managers.set(id, { ...key, time: managers.get(id)?.time, fields: ownedFields(toFieldSet(applied, root), args.resetFields) });

  const merged = mergeApplied(live, applied, root) as JsonObject;
  const result = prune(merged, managers, lastSet, root) as JsonObject;

  const cmp = compareObjects(live, result, root);
  const changed = ownedFields(cmp.added.union(cmp.modified), args.resetFields);
  const removed = ownedFields(cmp.removed, args.resetFields);
  const conflicts: Conflict[] = [];
  for (const [otherId, entry] of [...managers].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (otherId === id) continue;
    for (const path of entry.fields.intersection(changed).paths()) conflicts.push({ id: otherId, entry, path });
  }
  if (conflicts.length > 0 && !force) throw new ApplyConflicts(conflicts);

  for (const [otherId, entry] of managers) {
    const fields = otherId === id ? entry.fields : entry.fields.difference(changed).difference(removed);
    if (fields.isEmpty()) managers.delete(otherId);
    else managers.set(otherId, { ...entry, fields });
  }
  const applier = managers.get(id);
  if (applier && !deepEqual(live, result)) applier.time = formatTime(args.now);
  return withManagers(result, managers);
}

/** Fields kubectl's last-applied annotation sets that the live object still has unchanged. */
function lastAppliedFields(live: JsonObject, apiVersion: string, root: SchemaNode): FieldSet | undefined {
  const annotation = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof annotation !== 'string' || annotation === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(annotation);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  const cmp = compareObjects(lastApplied, live, root);
  return toFieldSet(lastApplied, root).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/** JSON as Go's encoder writes a map: sorted keys, HTML-safe escapes, trailing newline. */
function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sortKeys) : isObject(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])])) : x;
  const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return `${JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c])}\n`;
}

/** Keeps kubectl's last-applied annotation equal to what kubectl last applied (upstream's lastAppliedUpdater). */
function syncLastApplied(obj: JsonObject, applied: JsonObject): JsonObject {
  if (typeof obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION] !== 'string') return obj;
  const config = clone(applied);
  if (isObject(config.metadata?.annotations)) delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [LAST_APPLIED_ANNOTATION]: goJson(config) } } };
}

/**
 * Applies `applied` for `manager` to `live` (or creates the object when `live` is undefined) and
 * returns the object to store. Pure; throws StatusErrors only: 400 for a body that is not an
 * object of the endpoint's kind, carries managedFields, or has list items without their keys;
 * 409 Conflict (causes with reason FieldManagerConflict) for conflicts without `force`.
 */
export function applyServerSide(args: ApplyArgs): ApplyResult {
  const root = rootNode(args.applied, args.typeName);
  const typeName = root.type?.kind === 'object' ? root.type.name : undefined;
  const applied = checkApplied(args, typeName);
  const live = args.live ? withoutManagedFields(args.live) : {};
  let managers = decodeManagedFieldsOrEmpty(args.live?.metadata?.managedFields);
  if (args.live && managers.size === 0) {
    // Like upstream, an object nobody tracked yet gets its fields assigned to "before-first-apply".
    const tracked = updateManagedFields({ newObj: live, manager: 'before-first-apply', apiVersion: args.apiVersion, now: args.now, typeName, resetFields: args.resetFields });
    managers = decodeManagedFieldsOrEmpty(tracked.metadata?.managedFields);
  }
  try {
    let object: JsonObject;
    try {
      object = applyOnce(live, applied, managers, args, root, args.force);
    } catch (err) {
      if (!(err instanceof ApplyConflicts) || args.manager !== 'kubectl') throw err;
      const allowed = lastAppliedFields(live, args.apiVersion, root);
      if (!allowed) throw err;
      const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length > 0) throw new ApplyConflicts(remaining);
      object = applyOnce(live, applied, managers, args, root, true);
    }
    return { object: args.manager === 'kubectl' ? syncLastApplied(object, applied) : object };
  } catch (err) {
    if (err instanceof ApplyConflicts) throw conflictError(err.conflicts);
    if (err instanceof SchemaError) {
      const meta = isObject(applied.metadata) ? applied.metadata : {};
      const name = [meta.namespace, meta.name].filter((x) => typeof x === 'string' && x).join('/');
      const [group, version] = splitApiVersion(applied.apiVersion);
      throw badRequest(`failed to create typed patch object (${name}; ${group}/${version}, Kind=${applied.kind}): ${err.message}`);
    }
    throw err;
  }
}
