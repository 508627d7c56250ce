/**
 * Garbage collector, as upstream's: deletes objects whose owners are gone (background deletion),
 * deletes the dependents of owners deleted in the foreground before them (finalizer
 * foregroundDeletion, set by the API server for propagationPolicy Foreground), and strips owner
 * references from the dependents of owners deleted with propagationPolicy Orphan (finalizer
 * orphan). The graph is the shared informers' caches (graph.ts); the decisions are pure
 * (decisions.ts). Before acting on an object the collector reads it fresh, so that a cache lagging
 * behind (an owner reference just removed, an owner just created) never deletes the wrong thing.
 */
import type { ResourceDef } from '../../api/registry.js';
import { isConflict, isNotFound, type ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { AbsentOwners } from './absent-owners.js';
import { decideDeletingOwner, decideDependent, isDeletingDependents, isOrphaning, stateOfOwner, type ClassifiedRef } from './decisions.js';
import { nodeKey, OwnershipGraph, resolveOwner, type GraphNode, type OwnerReference } from './graph.js';

/** An owner still waiting for dependents is looked at again this often even without events. */
const AWAIT_RECHECK_MS = 10_000;

export interface GarbageCollectorOptions {
  workers?: number;
}

function refsOf(obj: any): OwnerReference[] {
  return obj?.metadata?.ownerReferences ?? [];
}

function sameRefs(a: any, b: any): boolean {
  return JSON.stringify(refsOf(a)) === JSON.stringify(refsOf(b));
}

function ignoreGone(err: unknown): void {
  if (!isNotFound(err) && !isConflict(err)) throw err;
}

class Collector {
  private readonly absent = new AbsentOwners();

  constructor(
    private readonly client: ApiClient,
    private readonly graph: OwnershipGraph,
    private readonly queue: WorkQueue,
  ) {}

  enqueue(def: ResourceDef, obj: any): void {
    this.queue.add(nodeKey(def, obj));
  }

  /** Whether every owner of `obj` is in the cache with its uid and not waiting on dependents: nothing to do. */
  private ownersSolidInCache(obj: any): boolean {
    return refsOf(obj).every((ref) => {
      const owner = this.graph.owner(ref, obj.metadata.namespace);
      return owner !== undefined && stateOfOwner(owner.obj) === 'solid';
    });
  }

  /** Wires the informer events of every resource to the queue. */
  watch(): void {
    for (const { def, informer } of this.graph.resources()) {
      const changed = (old: any | undefined, obj: any) => {
        if (refsOf(obj).length > 0 && (!old || !sameRefs(old, obj)) && !this.ownersSolidInCache(obj)) this.enqueue(def, obj);
        const startedWaiting = isDeletingDependents(obj.metadata) && !(old && isDeletingDependents(old.metadata));
        if (startedWaiting) for (const d of this.graph.dependents(obj.metadata.uid)) this.enqueue(d.def, d.obj);
        if (startedWaiting || (isOrphaning(obj.metadata) && !(old && isOrphaning(old.metadata)))) this.enqueue(def, obj);
        if (obj.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) this.enqueueWaitingOwners(obj);
      };
      informer.addHandlers({
        onAdd: (obj) => changed(undefined, obj),
        onUpdate: (old, obj) => changed(old, obj),
        onDelete: (obj) => {
          this.absent.add(obj.metadata.uid);
          for (const d of this.graph.dependents(obj.metadata.uid)) this.enqueue(d.def, d.obj);
          this.enqueueWaitingOwners(obj);
        },
      });
    }
  }

  /** Owners of `obj` deleting in the foreground look again: one of their dependents went or is going. */
  private enqueueWaitingOwners(obj: any): void {
    for (const ref of refsOf(obj)) {
      const owner = this.graph.owner(ref, obj.metadata.namespace);
      if (owner && isDeletingDependents(owner.obj.metadata)) this.enqueue(owner.def, owner.obj);
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    await this.graph.synced();
    const node = this.graph.get(key);
    if (!node) return;
    if (node.obj.metadata.deletionTimestamp) return this.processDeleting(node);
    if (refsOf(node.obj).length === 0) return;
    const cached = await this.classify(node.obj);
    if (decideDependent(cached, this.hasDependents(node.obj), node.obj.metadata.finalizers).kind === 'none') return;
    // Act on the live object: the cache may not show an owner reference removed a moment ago.
    let live: any;
    try {
      live = await this.client.get(node.def, node.obj.metadata.namespace, node.obj.metadata.name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (live.metadata.uid !== node.obj.metadata.uid || live.metadata.deletionTimestamp) return;
    const action = decideDependent(await this.classify(live), this.hasDependents(live), live.metadata.finalizers);
    const { namespace, name, uid } = live.metadata;
    if (action.kind === 'removeRefs') {
      await this.removeOwnerRefs(node.def, live, action.uids);
    } else if (action.kind === 'delete') {
      await this.client.delete(node.def, namespace, name, { propagationPolicy: action.policy, preconditions: { uid } }).catch(ignoreGone);
    }
  }

  private hasDependents(obj: any): boolean {
    return this.graph.dependents(obj.metadata.uid).length > 0;
  }

  /** The state of each owner of `obj`: from the cache when it holds the owner, else from the API. */
  private async classify(obj: any): Promise<ClassifiedRef[]> {
    const out: ClassifiedRef[] = [];
    for (const ref of refsOf(obj)) out.push({ uid: ref.uid, state: await this.ownerState(ref, obj.metadata.namespace) });
    return out;
  }

  private async ownerState(ref: OwnerReference, namespace: string | undefined): Promise<ClassifiedRef['state']> {
    const def = resolveOwner(ref);
    if (!def) return 'unresolvable';
    // A cluster-scoped object cannot be owned by a namespaced one: the reference is void.
    if (def.namespaced && !namespace) return 'dangling';
    const cached = this.graph.owner(ref, namespace);
    if (cached) return stateOfOwner(cached.obj);
    if (this.absent.has(ref.uid)) return 'dangling';
    try {
      const owner = await this.client.get(def, def.namespaced ? namespace : undefined, ref.name);
      if (owner.metadata.uid === ref.uid) return stateOfOwner(owner);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.absent.add(ref.uid);
    return 'dangling';
  }

  private async processDeleting(node: GraphNode): Promise<ReconcileResult | void> {
    const { obj, def } = node;
    const action = decideDeletingOwner(obj, this.graph.dependents(obj.metadata.uid).map((d) => ({ ...d, metadata: d.obj.metadata })));
    switch (action.kind) {
      case 'orphan':
        await Promise.all(action.dependents.map((d) => this.removeOwnerRefs(d.def, d.obj, [obj.metadata.uid])));
        await this.removeFinalizer(def, obj, 'orphan');
        return;
      case 'removeFinalizer':
        await this.removeFinalizer(def, obj, action.finalizer);
        return;
      case 'awaitDependents':
        for (const d of action.dependents) this.enqueue(d.def, d.obj);
        return { requeueAfterMs: AWAIT_RECHECK_MS };
      case 'none':
        return;
    }
  }

  /** Removes owner references by uid (a strategic merge patch on the list keyed by uid). */
  private async removeOwnerRefs(def: ResourceDef, obj: any, uids: string[]): Promise<void> {
    const patch = { metadata: { uid: obj.metadata.uid, ownerReferences: uids.map((uid) => ({ $patch: 'delete', uid })) } };
    await this.client.patch(def, obj.metadata.namespace, obj.metadata.name, 'strategic', patch).catch(ignoreGone);
  }

  private async removeFinalizer(def: ResourceDef, obj: any, finalizer: string): Promise<void> {
    const patch = { metadata: { uid: obj.metadata.uid, '$deleteFromPrimitiveList/finalizers': [finalizer] } };
    await this.client.patch(def, obj.metadata.namespace, obj.metadata.name, 'strategic', patch).catch(ignoreGone);
  }
}

export function startGarbageCollector(ctx: ControllerContext, opts: GarbageCollectorOptions = {}): ControllerHandle {
  const queue = new WorkQueue();
  const collector = new Collector(ctx.client, new OwnershipGraph(ctx.informers), queue);
  collector.watch();
  return runController('garbage-collector', queue, (key) => collector.reconcile(key), ctx.logger, opts.workers ?? 8);
}
