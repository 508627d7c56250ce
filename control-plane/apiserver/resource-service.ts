/**
 * The generic registry: create, read, update, patch, delete, list and watch of any resource in the
 * registry, with upstream's semantics (defaulting, validation, server-owned metadata, status split,
 * generation, optimistic concurrency, graceful and finalizer-aware deletion, namespace lifecycle,
 * managedFields). HTTP-free: handlers decode requests and call it; it throws StatusErrors.
 */
import { conversions } from '../api/conversions.js';
import { defaulters } from '../api/defaults/index.js';
import { objectFields } from '../api/fieldlabels.js';
import { checkFieldSelector, parseFieldSelector } from '../api/fieldselector.js';
import { parseLabelSelector } from '../api/labels.js';
import { apiVersionOf, storageResource, type ResourceDef } from '../api/registry.js';
import { cannotDecode, decodeTypes, pruneUnknownFields } from '../api/schema/index.js';
import {
  STALE_OBJECT,
  badRequest,
  conflict,
  forbiddenMessage,
  invalid,
  methodNotAllowed,
  notFound,
  type StatusError,
} from '../api/status.js';
import { validateObject } from '../api/validation/index.js';
import type { KObject, ListResult, ObjectKey, Store, Watch, WatchEvent } from '../store/store.js';
import type { RequestContext } from './context.js';
import { prepareMetaForCreate, prepareMetaForUpdate, rfc3339 } from './object-meta.js';
import { admitClaim, admitClaimUpdate, admitPod, admitVolume } from './admission.js';
import { applyPatch, type PatchOptions, type PatchType } from './patch-dispatch.js';
import { DEFAULT_SERVICE_NETWORK, ServiceAllocator, type ServiceNetworkConfig } from './service-allocation.js';
import { recordManagedFields } from './managed-fields.js';
import { hasStatusSubresource, specChangedByDefault, strategyFor } from './strategies.js';

export interface ListQuery {
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface WatchQuery extends Omit<ListQuery, 'limit' | 'continue'> {
  resourceVersion?: string;
  bookmarkIntervalMs?: number;
}

/** DeleteOptions as the body or query of a DELETE carries them. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** What a DELETE answers: the object (still there, or deleted for kinds that return it) or a Status. */
export interface DeleteOutcome {
  code: number;
  body: unknown;
}

/** The latest time an RFC 3339 timestamp can say; huge grace periods end there. */
const LATEST_TIMESTAMP = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Deleting these returns the deleted object rather than a Status, as upstream. */
const RETURNS_DELETED_OBJECT = new Set(['core/pods', 'core/services', 'core/namespaces']);

/** What an endpoint of a kind with a status subresource ignores: status on the main resource, spec on /status. */
function resetFieldsOf(def: ResourceDef, subresource: string): string[] {
  if (!def.subresources.includes('status')) return [];
  return subresource === 'status' ? ['spec'] : ['status'];
}

function deepCopy<T>(v: T): T {
  return structuredClone(v);
}

function sameObject(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** What a write claims beside the object (Service addresses and ports): kept on success, freed otherwise. */
interface Claims {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

const NO_CLAIMS: Claims = { commit: async () => {}, rollback: async () => {} };

export class ResourceService {
  private readonly allocator: ServiceAllocator;

  constructor(
    private readonly store: Store,
    serviceNetwork: ServiceNetworkConfig = DEFAULT_SERVICE_NETWORK,
  ) {
    this.allocator = new ServiceAllocator(store, serviceNetwork);
  }

  /** Claims a Service's clusterIP and node ports before it is validated and written. */
  private claim(def: ResourceDef, obj: KObject, old?: KObject): Promise<Claims> {
    return def.storage === 'core/services' ? this.allocator.allocate(obj, old) : Promise.resolve(NO_CLAIMS);
  }

  /** Runs `write` with `claims` held: committed when it succeeds (and is not a dry run), rolled back otherwise. */
  private async withClaims<T>(claims: Claims, dryRun: boolean, write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (err) {
      await claims.rollback();
      throw err;
    }
    if (dryRun) await claims.rollback();
    else await claims.commit();
    return result;
  }

  // ---- conversion between served and storage versions ----

  private toStorage(def: ResourceDef, obj: any): KObject {
    if (def.storageVersion) return obj;
    const stored = conversions[`${def.group}/${def.version}/${def.plural}`]!.toStorage(obj);
    // What a conversion took from annotations (HPA autoscaling/v1) was never decoded: check it as a body.
    const storage = storageResource(def.storage);
    const mismatch = decodeTypes(storage.group, storage.version, storage.kind, stored);
    if (mismatch) throw cannotDecode(def.kind, def.version, mismatch);
    return stored;
  }

  private fromStorage(def: ResourceDef, obj: KObject): any {
    if (def.storageVersion) {
      obj.apiVersion = apiVersionOf(def);
      obj.kind = def.kind;
      return obj;
    }
    return conversions[`${def.group}/${def.version}/${def.plural}`]!.fromStorage(obj);
  }

  private key(def: ResourceDef, namespace: string, name: string): ObjectKey {
    return { resource: def.storage, namespace: def.namespaced ? namespace : '', name };
  }

  private ref(def: ResourceDef, name?: string) {
    return { group: def.group, resource: def.plural, name };
  }

  // ---- body checks shared by create, update and patch ----

  /** Checks apiVersion/kind/namespace of a decoded body and returns it with metadata ensured. */
  private checkBody(def: ResourceDef, body: unknown, namespace: string): any {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest(`the body of the request must be a ${def.kind} object`);
    }
    const obj = body as any;
    const expected = apiVersionOf(def);
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw badRequest(`${String(obj.kind)} in version "${String(obj.apiVersion ?? '')}" cannot be handled as a ${def.kind}: the kind of the object does not match the resource`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
    }
    obj.apiVersion = expected;
    obj.kind = def.kind;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata must be an object`);
    }
    if (def.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  /**
   * Drops fields the kind does not have (Strict refuses them, Warn reports them), then refuses
   * values of the wrong JSON type with 400, as upstream's decoder does (null list items and map
   * values become zero values, as it decodes them).
   */
  private checkUnknownFields(def: ResourceDef, obj: any, ctx: RequestContext): void {
    const unknown = pruneUnknownFields(def.group, def.version, def.kind, obj);
    const mismatch = decodeTypes(def.group, def.version, def.kind, obj);
    if (mismatch) throw cannotDecode(def.kind, def.version, mismatch);
    if (unknown.length === 0) return;
    if (ctx.fieldValidation === 'Strict') {
      throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (ctx.fieldValidation === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }

  private validate(def: ResourceDef, obj: KObject, old?: KObject): void {
    const errors = validateObject(def.storage, obj, old);
    if (errors.length > 0) {
      const storage = storageResource(def.storage);
      throw invalid(storage.kind, storage.group, obj.metadata.name ?? '', errors);
    }
  }

  /** Nothing is created in a missing or terminating namespace. */
  private async admitNamespace(def: ResourceDef, obj: KObject): Promise<void> {
    if (!def.namespaced) return;
    const ns = obj.metadata.namespace!;
    let namespace: any;
    try {
      namespace = await this.store.get({ resource: 'core/namespaces', namespace: '', name: ns });
    } catch (err) {
      if ((err as StatusError).code === 404) throw notFound({ group: '', resource: 'namespaces', name: ns });
      throw err;
    }
    if (namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') {
      throw forbiddenMessage(
        this.ref(def, obj.metadata.name),
        `${def.plural} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
  }

  // ---- create ----

  async create(def: ResourceDef, namespace: string, body: unknown, ctx: RequestContext): Promise<any> {
    if (def.namespaced && !namespace) throw methodNotAllowed(`${def.plural} must be created in a namespace`);
    const served = this.checkBody(def, body, namespace);
    this.checkUnknownFields(def, served, ctx);
    const obj = this.toStorage(def, served);
    return this.fromStorage(def, await this.createStorage(def, obj, ctx));
  }

  private async createStorage(def: ResourceDef, obj: KObject, ctx: RequestContext, managedFieldsDone = false): Promise<KObject> {
    const storage = storageResource(def.storage);
    const strategy = strategyFor(storage);
    prepareMetaForCreate(obj, storage.tracksGeneration, ctx.now);
    strategy.afterGenerationSet?.(obj);
    if (hasStatusSubresource(storage) && !strategy.keepStatusOnCreate) {
      const status = strategy.initialStatus?.(obj);
      if (status === undefined) obj.status = {};
      else obj.status = status;
    }
    defaulters[storage.storage]?.(obj);
    strategy.prepareForCreate?.(obj);
    if (!obj.metadata.name) {
      throw invalid(storage.kind, storage.group, '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    await this.admitNamespace(def, obj);
    if (def.storage === 'core/pods') await admitPod(this.store, obj);
    if (def.storage === 'core/persistentvolumeclaims') await admitClaim(this.store, obj);
    if (def.storage === 'core/persistentvolumes') admitVolume(obj);
    const claims = await this.claim(def, obj);
    return this.withClaims(claims, ctx.dryRun, async () => {
      this.validate(def, obj);
      if (!managedFieldsDone) recordManagedFields(undefined, obj, ctx, apiVersionOf(def), '', resetFieldsOf(def, ''));
      if (ctx.dryRun) return obj;
      return this.store.create(this.key(def, obj.metadata.namespace ?? '', obj.metadata.name!), obj);
    });
  }

  // ---- read ----

  async get(def: ResourceDef, namespace: string, name: string): Promise<any> {
    return this.fromStorage(def, await this.store.get(this.key(def, namespace, name)));
  }

  /**
   * The object's JSON text as stored, for answering without parsing; undefined when the served
   * version is not the stored one (the object must be converted).
   */
  async getText(def: ResourceDef, namespace: string, name: string): Promise<string | undefined> {
    if (!def.storageVersion) return undefined;
    return this.store.getText(this.key(def, namespace, name));
  }

  /**
   * A list as JSON byte chunks (header, items, footer), built from the stored bytes without
   * decoding them; undefined when the list needs selectors or conversion (use list()).
   */
  async listJSON(def: ResourceDef, q: ListQuery): Promise<Buffer[] | undefined> {
    if (!def.storageVersion || this.predicate(def, q)) return undefined;
    const page = await this.store.listJSON(def.storage, { namespace: def.namespaced ? q.namespace : '', limit: q.limit, continue: q.continue });
    const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continue) metadata.continue = page.continue;
    if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
    const head = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(apiVersionOf(def))},"metadata":${JSON.stringify(metadata)},"items":[`;
    const comma = Buffer.from(',');
    const chunks: Buffer[] = [Buffer.from(head)];
    page.items.forEach((item, i) => {
      if (i > 0) chunks.push(comma);
      chunks.push(item);
    });
    chunks.push(Buffer.from(']}'));
    return chunks;
  }

  private predicate(def: ResourceDef, q: { labelSelector?: string; fieldSelector?: string }): ((o: KObject) => boolean) | undefined {
    const labels = q.labelSelector ? parseLabelSelector(q.labelSelector) : undefined;
    // Aliases are renamed to the stored field names (pods' spec.host, events.k8s.io's regarding.*).
    const fields = q.fieldSelector ? checkFieldSelector(parseFieldSelector(q.fieldSelector), `${def.group || 'core'}/${def.plural}`) : undefined;
    if ((!labels || labels.empty()) && (!fields || fields.requirements().length === 0)) return undefined;
    return (o) => (!labels || labels.matches(o.metadata.labels)) && (!fields || fields.matches(objectFields(def.storage, o)));
  }

  async list(def: ResourceDef, q: ListQuery): Promise<{ list: any; raw: ListResult }> {
    const predicate = this.predicate(def, q);
    const raw = await this.store.list(def.storage, {
      namespace: def.namespaced ? q.namespace : '',
      predicate,
      limit: q.limit,
      continue: q.continue,
    });
    const metadata: Record<string, unknown> = { resourceVersion: raw.resourceVersion };
    if (raw.continue) metadata.continue = raw.continue;
    if (raw.remainingItemCount !== undefined) metadata.remainingItemCount = raw.remainingItemCount;
    const list = {
      kind: `${def.kind}List`,
      apiVersion: apiVersionOf(def),
      metadata,
      items: raw.items.map((o) => this.fromStorage(def, o)),
    };
    return { list, raw };
  }

  /** A watch whose events carry served-version objects. */
  async watch(def: ResourceDef, q: WatchQuery): Promise<Watch> {
    const predicate = this.predicate(def, q);
    const inner = await this.store.watch(def.storage, {
      namespace: def.namespaced ? q.namespace : '',
      predicate,
      resourceVersion: q.resourceVersion,
      bookmarkIntervalMs: q.bookmarkIntervalMs,
    });
    return {
      next: async (): Promise<WatchEvent | undefined> => {
        const ev = await inner.next();
        if (!ev || ev.type === 'BOOKMARK' || ev.type === 'ERROR') {
          if (ev?.type === 'BOOKMARK') ev.object = { kind: def.kind, apiVersion: apiVersionOf(def), metadata: ev.object.metadata };
          return ev;
        }
        return { type: ev.type, object: this.fromStorage(def, ev.object) };
      },
      stop: () => inner.stop(),
    };
  }

  // ---- update and patch ----

  /**
   * The shared tail of every update: merges spec/status per subresource, carries server-owned
   * metadata, defaults, validates and writes with compare-and-set on `old`'s resourceVersion unless
   * the candidate names its own. Writes nothing when nothing changed.
   */
  private async writeUpdate(
    def: ResourceDef,
    old: KObject,
    candidate: KObject,
    subresource: string,
    ctx: RequestContext,
    managedFieldsDone = false,
  ): Promise<KObject> {
    const storage = storageResource(def.storage);
    const strategy = strategyFor(storage);
    let next: KObject;
    if (subresource === 'status') {
      next = { ...deepCopy(old), status: candidate.status };
      next.metadata.resourceVersion = candidate.metadata.resourceVersion ?? old.metadata.resourceVersion;
      if (strategy.statusKeepsAnnotations) next.metadata.annotations = candidate.metadata.annotations;
    } else {
      next = candidate;
      if (hasStatusSubresource(storage)) {
        if (old.status === undefined) delete next.status;
        else next.status = deepCopy(old.status);
      }
    }
    defaulters[storage.storage]?.(next);
    const specChanged = subresource !== 'status' && (strategy.specChanged ?? specChangedByDefault)(next, old);
    prepareMetaForUpdate(next, old, storage.tracksGeneration, specChanged);
    if (subresource !== 'status') strategy.afterGenerationSet?.(next);
    const requestedRv = next.metadata.resourceVersion;
    if (requestedRv && requestedRv !== old.metadata.resourceVersion) {
      throw conflict(this.ref(def, old.metadata.name), STALE_OBJECT);
    }
    if (def.storage === 'core/persistentvolumeclaims' && subresource !== 'status') await admitClaimUpdate(this.store, next, old);
    const claims = subresource === 'status' ? NO_CLAIMS : await this.claim(def, next, old);
    return this.withClaims(claims, ctx.dryRun, async () => {
      this.validate(def, next, old);
      if (!managedFieldsDone) recordManagedFields(old, next, ctx, apiVersionOf(def), subresource, resetFieldsOf(def, subresource));
      if (sameObject(next, old)) return old;
      next.metadata.resourceVersion = old.metadata.resourceVersion;
      if (ctx.dryRun) return next;
      return this.store.update(this.key(def, old.metadata.namespace ?? '', old.metadata.name!), next);
    });
  }

  /** PUT of the resource or its status subresource. */
  async update(def: ResourceDef, namespace: string, name: string, body: unknown, subresource: string, ctx: RequestContext): Promise<{ object: any; created: boolean }> {
    const served = this.checkBody(def, body, namespace);
    if (served.metadata.name !== undefined && served.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(served.metadata.name)}) does not match the name on the URL (${name})`);
    }
    served.metadata.name = name;
    this.checkUnknownFields(def, served, ctx);
    const candidate = this.toStorage(def, served);
    const key = this.key(def, namespace, name);
    let old: KObject;
    try {
      old = await this.store.get(key);
    } catch (err) {
      if ((err as StatusError).code === 404 && strategyFor(storageResource(def.storage)).allowCreateOnUpdate && !subresource) {
        return { object: this.fromStorage(def, await this.createStorage(def, candidate, ctx)), created: true };
      }
      throw err;
    }
    if (!candidate.metadata.resourceVersion) {
      // Unconditional update: retry against the latest version on conflict.
      const updated = await this.retryOnConflict(key, async (current) => this.writeUpdate(def, current, deepCopy(candidate), subresource, ctx), old);
      return { object: this.fromStorage(def, updated), created: false };
    }
    return { object: this.fromStorage(def, await this.writeUpdate(def, old, candidate, subresource, ctx)), created: false };
  }

  private async retryOnConflict(key: ObjectKey, attempt: (current: KObject) => Promise<KObject>, first?: KObject): Promise<KObject> {
    let current = first ?? (await this.store.get(key));
    for (let i = 0; ; i++) {
      try {
        return await attempt(current);
      } catch (err) {
        if ((err as StatusError).code !== 409 || (err as StatusError).reason !== 'Conflict' || i >= 15) throw err;
        current = await this.store.get(key);
      }
    }
  }

  /** PATCH of the resource or its status subresource; apply patches create missing objects. */
  async patch(
    def: ResourceDef,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource: string,
    ctx: RequestContext,
    force: boolean,
  ): Promise<{ object: any; created: boolean }> {
    const key = this.key(def, namespace, name);
    if (type === 'apply') this.checkUnknownFields(def, patch, ctx);
    let exists = true;
    let first: KObject | undefined;
    try {
      first = await this.store.get(key);
    } catch (err) {
      if ((err as StatusError).code !== 404) throw err;
      exists = false;
    }
    if (!exists) {
      if (type !== 'apply' || subresource) throw notFound(this.ref(def, name));
      const served = applyPatch('apply', undefined, patch, this.patchOptions(def, ctx, force, ''));
      const obj = this.checkBody(def, served, namespace);
      if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
        throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
      }
      obj.metadata.name = name;
      this.checkUnknownFields(def, obj, ctx);
      const created = await this.createStorage(def, this.toStorage(def, obj), ctx, true);
      return { object: this.fromStorage(def, created), created: true };
    }
    const updated = await this.retryOnConflict(
      key,
      async (current) => {
        const currentServed = this.fromStorage(def, deepCopy(current));
        const patched = applyPatch(type, currentServed, patch, this.patchOptions(def, ctx, force, subresource));
        const obj = this.checkBody(def, patched, namespace);
        if (obj.metadata.name !== name) throw badRequest('metadata.name: Invalid value: the name of a patched object cannot change');
        this.checkUnknownFields(def, obj, ctx);
        const candidate = this.toStorage(def, obj);
        // A patch that names a resourceVersion is a precondition; otherwise it applies to the latest.
        if (!candidate.metadata.resourceVersion) candidate.metadata.resourceVersion = current.metadata.resourceVersion;
        return this.writeUpdate(def, current, candidate, subresource, ctx, type === 'apply');
      },
      first,
    );
    return { object: this.fromStorage(def, updated), created: false };
  }

  private patchOptions(def: ResourceDef, ctx: RequestContext, force: boolean, subresource: string): PatchOptions {
    return { apiVersion: apiVersionOf(def), kind: def.kind, manager: ctx.fieldManager, force, now: ctx.now, subresource: subresource || undefined, resetFields: resetFieldsOf(def, subresource) };
  }

  // ---- delete ----

  async delete(def: ResourceDef, namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<DeleteOutcome> {
    const key = this.key(def, namespace, name);
    const current = await this.store.get<any>(key);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(this.ref(def, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(this.ref(def, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    if (ctx.dryRun) return { code: 200, body: this.fromStorage(def, current) };

    if (def.storage === 'core/namespaces') return this.deleteNamespace(def, key, ctx);
    if (def.storage === 'core/pods') {
      const graceful = await this.deletePodGracefully(def, key, current, opts, ctx);
      if (graceful) return graceful;
    }
    const finalizer = opts.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : opts.propagationPolicy === 'Orphan' || opts.orphanDependents ? 'orphan' : undefined;
    if (finalizer) {
      await this.store.guaranteedUpdate<KObject>(key, (obj) => {
        const finalizers = obj.metadata.finalizers ?? [];
        if (!finalizers.includes(finalizer)) obj.metadata.finalizers = [...finalizers, finalizer];
        return obj;
      });
    }
    const result = await this.store.delete(key, { uid: pre.uid, resourceVersion: pre.resourceVersion });
    if (!result.deleted) return { code: 200, body: this.fromStorage(def, result.object) };
    if (def.storage === 'core/services') await this.allocator.releaseAll(result.object);
    if (RETURNS_DELETED_OBJECT.has(def.storage)) return { code: 200, body: this.fromStorage(def, result.object) };
    return {
      code: 200,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: def.group || undefined, kind: def.plural, uid: current.metadata.uid },
      },
    };
  }

  /** A pod bound to a node gets a grace period for its agent to stop it; others go at once. */
  private async deletePodGracefully(def: ResourceDef, key: ObjectKey, pod: any, opts: DeleteOptions, ctx: RequestContext): Promise<DeleteOutcome | undefined> {
    let grace = opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (!pod.spec?.nodeName || terminal) grace = 0;
    if (grace <= 0) return undefined;
    const updated = await this.store.guaranteedUpdate<any>(key, (obj) => {
      const deadline = new Date(Math.min(ctx.now.getTime() + grace * 1000, LATEST_TIMESTAMP));
      const existing = obj.metadata.deletionTimestamp ? new Date(obj.metadata.deletionTimestamp) : undefined;
      if (!existing || deadline < existing) {
        obj.metadata.deletionTimestamp = rfc3339(deadline);
        obj.metadata.deletionGracePeriodSeconds = grace;
      }
      return obj;
    });
    return { code: 200, body: this.fromStorage(def, updated) };
  }

  /** A namespace is marked Terminating; the namespace controller empties it, then it goes. */
  private async deleteNamespace(def: ResourceDef, key: ObjectKey, ctx: RequestContext): Promise<DeleteOutcome> {
    const updated = await this.store.guaranteedUpdate<any>(key, (ns) => {
      ns.metadata.deletionTimestamp ??= rfc3339(ctx.now);
      ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
      return ns;
    });
    if ((updated.spec?.finalizers ?? []).length === 0 && (updated.metadata.finalizers ?? []).length === 0) {
      const result = await this.store.delete(key);
      return { code: 200, body: this.fromStorage(def, result.object) };
    }
    return { code: 200, body: this.fromStorage(def, updated) };
  }

  /** PUT namespaces/<name>/finalize: sets spec.finalizers; an emptied terminating namespace is removed. */
  async finalizeNamespace(def: ResourceDef, name: string, body: any, ctx: RequestContext): Promise<any> {
    const key = this.key(def, '', name);
    const finalizers = Array.isArray(body?.spec?.finalizers) ? body.spec.finalizers.filter((f: unknown) => typeof f === 'string') : [];
    const updated = await this.store.guaranteedUpdate<any>(key, (ns) => {
      ns.spec = { ...(ns.spec ?? {}), finalizers };
      return ns;
    });
    if (updated.metadata.deletionTimestamp && finalizers.length === 0 && (updated.metadata.finalizers ?? []).length === 0 && !ctx.dryRun) {
      const result = await this.store.delete(key);
      return this.fromStorage(def, result.object);
    }
    return this.fromStorage(def, updated);
  }

  async deleteCollection(def: ResourceDef, q: ListQuery, opts: DeleteOptions, ctx: RequestContext): Promise<any> {
    const { list } = await this.list(def, { ...q, limit: undefined, continue: undefined });
    const deleted: any[] = [];
    for (const item of list.items) {
      try {
        const outcome = await this.delete(def, item.metadata.namespace ?? '', item.metadata.name, { ...opts, preconditions: undefined }, ctx);
        deleted.push((outcome.body as any)?.kind === 'Status' ? item : outcome.body);
      } catch (err) {
        if ((err as StatusError).code !== 404) throw err;
      }
    }
    return { ...list, items: deleted };
  }
}
