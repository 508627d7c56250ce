/**
 * The StatefulSet controller (upstream's pkg/controller/statefulset): keeps each set's pods, claims,
 * ControllerRevisions and status in line with its spec. Level-based: a key is reconciled from the
 * informer caches (sets, pods, claims, revisions); planStatefulSet decides, this file carries the
 * decisions out through the API and records upstream's Events. Pod, claim and set changes enqueue
 * the set concerned.
 */
import { selectorFromLabelSelector, type LabelSelector } from '../../api/labels.js';
import { RESOURCES } from '../../api/registry.js';
import { isAlreadyExists, isNotFound, type ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { byNamespace, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { claimObjects } from '../history/controller-ref.js';
import { deleteRevisions, ensureUpdateRevision, listRevisions } from '../history/history.js';
import { applyRevision, revisionsToTruncate, templatePatch, type ControllerRevision } from '../history/revisions.js';
import { ownedObjectHandlers, ownersSelecting } from '../shared/owner-events.js';
import { writeStatusFields } from '../shared/status-fields.js';
import { isMemberOf, ownerOf, REVISION_HASH_LABEL, REVISION_LABEL } from './identity.js';
import { planStatefulSet, type DeleteReason, type StatefulSetAction, type StatefulSetStatus } from './plan.js';
import { wantedClaimOwnerRefs } from './retention.js';

const statefulSets = RESOURCES.find((r) => r.plural === 'statefulsets')!;
const pods = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;
const claims = RESOURCES.find((r) => r.plural === 'persistentvolumeclaims')!;

const NAMESPACE_INDEX = 'namespace';
const COMPONENT = 'statefulset-controller';
/** How long to wait before looking again while the caches are still filling. */
const SYNC_WAIT_MS = 200;

/** The set as an Event's involved object. */
const involved = (set: any) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata });

class StatefulSetSync {
  constructor(
    private readonly client: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly sets: Informer,
    private readonly podInformer: Informer,
    private readonly claimInformer: Informer,
    private readonly revisionInformer: Informer<ControllerRevision>,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (![this.sets, this.podInformer, this.claimInformer, this.revisionInformer].every((i) => i.hasSynced())) return { requeueAfterMs: SYNC_WAIT_MS };
    const set = this.sets.get(key);
    if (!set) return;
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(set.spec?.selector);
    } catch {
      return; // validation refuses such selectors; nothing sensible to do with a stored one
    }
    const owner = ownerOf(set);
    const ns = set.metadata.namespace;
    const candidates = this.podInformer.byIndex(NAMESPACE_INDEX, ns);
    const owned = await claimObjects(this.client, pods, statefulSets, owner, candidates, (p) => selector.matches(p.metadata.labels) && isMemberOf(set, p));
    const revisions = await listRevisions(this.client, this.revisionInformer, statefulSets, owner, selector);
    const update = await ensureUpdateRevision(
      this.client,
      owner,
      revisions,
      { data: templatePatch(set), labels: set.spec?.template?.metadata?.labels ?? {}, hashLabel: REVISION_HASH_LABEL, annotations: set.metadata.annotations },
      set.status?.collisionCount ?? 0,
    );
    const all = [...revisions.filter((r) => r.metadata.name !== update.revision.metadata.name), update.revision];
    const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update.revision;
    const claimsByName = new Map<string, any>(this.claimInformer.byIndex(NAMESPACE_INDEX, ns).map((c) => [c.metadata.name, c]));
    const plan = planStatefulSet({
      set,
      currentSet: applyRevision(set, current),
      updateSet: applyRevision(set, update.revision),
      currentRevision: current.metadata.name,
      updateRevision: update.revision.metadata.name,
      collisionCount: update.collisionCount,
      pods: owned,
      claims: claimsByName,
      now: Date.now(),
    });
    for (const action of plan.actions) await this.apply(set, action);
    await this.writeStatus(set, plan.status);
    const live = new Set([current.metadata.name, update.revision.metadata.name, ...owned.map((p) => p.metadata.labels?.[REVISION_LABEL] ?? '')]);
    await deleteRevisions(this.client, revisionsToTruncate(all, live, set.spec?.revisionHistoryLimit ?? 10));
    if (plan.requeueAfterMs !== undefined) return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async apply(set: any, action: StatefulSetAction): Promise<void> {
    switch (action.kind) {
      case 'createPod':
        await this.createClaims(set, action.pod, action.claims);
        await this.createPod(set, action.pod);
        return;
      case 'createClaims':
        return this.createClaims(set, action.pod, action.claims);
      case 'deletePod':
        return this.deletePod(set, action.pod, action.reason);
      case 'fixIdentity':
        await this.client.patch(pods, action.pod.metadata.namespace, action.pod.metadata.name, 'merge', {
          metadata: { resourceVersion: action.pod.metadata.resourceVersion, labels: action.labels },
        });
        this.podEvent(set, 'update', action.pod.metadata.name);
        return;
      case 'setClaimOwners':
        await this.client.patch(claims, action.claim.metadata.namespace, action.claim.metadata.name, 'merge', {
          metadata: { resourceVersion: action.claim.metadata.resourceVersion, ownerReferences: action.ownerReferences },
        });
        this.recorder.event(involved(set), 'Normal', 'SuccessfulUpdate', `update Claim ${action.claim.metadata.name} Pod ${action.pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
        return;
    }
  }

  private podEvent(set: any, verb: 'create' | 'delete' | 'update', podName: string, err?: unknown): void {
    const cap = verb[0]!.toUpperCase() + verb.slice(1);
    if (err) this.recorder.event(involved(set), 'Warning', `Failed${cap}`, `${verb} Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
    else this.recorder.event(involved(set), 'Normal', `Successful${cap}`, `${verb} Pod ${podName} in StatefulSet ${set.metadata.name} successful`);
  }

  private async createClaims(set: any, pod: any, toCreate: any[]): Promise<void> {
    for (const claim of toCreate) {
      const refs = wantedClaimOwnerRefs(claim, set, pod);
      const body = refs ? { ...claim, metadata: { ...claim.metadata, ownerReferences: refs } } : claim;
      const what = `Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
      try {
        await this.client.create(claims, claim.metadata.namespace, body);
        this.recorder.event(involved(set), 'Normal', 'SuccessfulCreate', `create ${what} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.recorder.event(involved(set), 'Warning', 'FailedCreate', `create ${what} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  private async createPod(set: any, pod: any): Promise<void> {
    try {
      await this.client.create(pods, pod.metadata.namespace, pod);
      this.podEvent(set, 'create', pod.metadata.name);
    } catch (err) {
      if (isAlreadyExists(err)) return; // the cache had not seen it yet
      this.podEvent(set, 'create', pod.metadata.name, err);
      throw err;
    }
  }

  private async deletePod(set: any, pod: any, reason: DeleteReason): Promise<void> {
    const ns = pod.metadata.namespace;
    if (reason === 'failed') this.recorder.event(involved(set), 'Warning', 'RecreatingFailedPod', `StatefulSet ${ns}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
    if (reason === 'succeeded') this.recorder.event(involved(set), 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${ns}/${set.metadata.name} is recreating terminated Pod ${pod.metadata.name}`);
    try {
      await this.client.delete(pods, ns, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
      this.podEvent(set, 'delete', pod.metadata.name);
    } catch (err) {
      if (isNotFound(err)) return;
      this.podEvent(set, 'delete', pod.metadata.name, err);
      throw err;
    }
  }

  private async writeStatus(set: any, status: StatefulSetStatus): Promise<void> {
    await writeStatusFields(this.client, statefulSets, set, { ...status });
  }
}

/**
 * Starts the StatefulSet controller on the context's shared informers (StatefulSets, pods,
 * PersistentVolumeClaims, ControllerRevisions); returns at once. The caller starts the informers
 * (InformerFactory.start); reconciles wait for their first lists.
 */
export function startStatefulSetController(ctx: ControllerContext): ControllerHandle {
  const sets = ctx.informers.of('apps/statefulsets');
  const podInformer = ctx.informers.of('core/pods');
  const claimInformer = ctx.informers.of('core/persistentvolumeclaims');
  const revisionInformer = ctx.informers.of<ControllerRevision>('apps/controllerrevisions');
  for (const informer of [sets, podInformer, claimInformer]) informer.addIndex(NAMESPACE_INDEX, byNamespace);
  const queue = new WorkQueue();

  sets.addHandlers({ onAdd: (s) => queue.add(keyOf(s)), onUpdate: (_o, s) => queue.add(keyOf(s)), onDelete: (s) => queue.add(keyOf(s)) });
  podInformer.addHandlers(ownedObjectHandlers('StatefulSet', sets, NAMESPACE_INDEX, queue));
  const enqueueForClaim = (claim: any) => {
    for (const set of ownersSelecting(sets, NAMESPACE_INDEX, claim.metadata.namespace, claim.metadata.labels)) queue.add(keyOf(set));
  };
  claimInformer.addHandlers({ onAdd: enqueueForClaim, onUpdate: (_o, c) => enqueueForClaim(c), onDelete: enqueueForClaim });

  const sync = new StatefulSetSync(ctx.client, ctx.recorder(COMPONENT), sets, podInformer, claimInformer, revisionInformer);
  return runController('statefulset', queue, (key) => sync.reconcile(key), ctx.logger, 4);
}
