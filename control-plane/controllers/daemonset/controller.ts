/**
 * The DaemonSet controller (upstream's pkg/controller/daemon): one pod per eligible node, pinned
 * there by node affinity for the scheduler to bind; rolling updates per node; ControllerRevisions
 * for `kubectl rollout history|undo`; status. Level-based: a key is reconciled from the informer
 * caches (DaemonSets, nodes, pods, revisions); the plan functions decide, this file carries their
 * decisions out and records upstream's Events. Node changes enqueue every DaemonSet, pod changes the
 * DaemonSet concerned.
 */
import { selectorFromLabelSelector, type LabelSelector } from '../../api/labels.js';
import { RESOURCES } from '../../api/registry.js';
import { isNotFound, type ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { byNamespace, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { claimObjects, type Owner } from '../history/controller-ref.js';
import { deleteRevisions, ensureUpdateRevision, listRevisions } from '../history/history.js';
import { revisionsToTruncate, templatePatch, type ControllerRevision } from '../history/revisions.js';
import { ownedObjectHandlers } from '../shared/owner-events.js';
import { writeStatusFields } from '../shared/status-fields.js';
import { FailedPodBackoff } from './backoff.js';
import { Expectations } from './expectations.js';
import { computeStatus, planManage, planRollingUpdate, type DaemonSetActions, type DaemonSetState, type DaemonSetStatus } from './plan.js';
import { newDaemonPod, REVISION_HASH_LABEL } from './pod-template.js';

const daemonSets = RESOURCES.find((r) => r.plural === 'daemonsets')!;
const pods = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;

const NAMESPACE_INDEX = 'namespace';
const COMPONENT = 'daemonset-controller';
const SYNC_WAIT_MS = 200;

const ownerOf = (ds: any): Owner => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata });
const involved = ownerOf;

class DaemonSetSync {
  private readonly expectations = new Expectations();
  private readonly backoff = new FailedPodBackoff();

  constructor(
    private readonly client: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly sets: Informer,
    private readonly nodes: Informer,
    private readonly podInformer: Informer,
    private readonly revisionInformer: Informer<ControllerRevision>,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (![this.sets, this.nodes, this.podInformer, this.revisionInformer].every((i) => i.hasSynced())) return { requeueAfterMs: SYNC_WAIT_MS };
    const ds = this.sets.get(key);
    if (!ds) {
      this.expectations.forget(key);
      return;
    }
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(ds.spec?.selector);
    } catch {
      return;
    }
    const owner = ownerOf(ds);
    const owned = await claimObjects(this.client, pods, daemonSets, owner, this.podInformer.byIndex(NAMESPACE_INDEX, ds.metadata.namespace), (p) => selector.matches(p.metadata.labels));
    if (ds.metadata.deletionTimestamp) return;
    const revisions = await listRevisions(this.client, this.revisionInformer, daemonSets, owner, selector);
    const update = await ensureUpdateRevision(
      this.client,
      owner,
      revisions,
      { data: templatePatch(ds), labels: ds.spec?.template?.metadata?.labels ?? {}, hashLabel: REVISION_HASH_LABEL, annotations: ds.metadata.annotations },
      ds.status?.collisionCount ?? 0,
    );
    const hash = update.revision.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    const state: DaemonSetState = { ds, hash, nodes: this.nodes.list(), pods: owned, now: Date.now() };

    let requeueAfterMs: number | undefined;
    if (this.expectations.satisfied(key, (k) => this.podInformer.get(k))) {
      const manage = planManage(state);
      const nothingToManage = manage.createOn.length === 0 && manage.delete.length === 0;
      requeueAfterMs = await this.sync(key, ds, hash, nothingToManage ? planRollingUpdate(state) : manage);
      // Old revisions no pod runs any more go beyond revisionHistoryLimit.
      const liveHashes = new Set(owned.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL]));
      const all = [...revisions.filter((r) => r.metadata.name !== update.revision.metadata.name), update.revision];
      const live = new Set(all.filter((r) => r === update.revision || liveHashes.has(r.metadata.labels?.[REVISION_HASH_LABEL])).map((r) => r.metadata.name));
      await deleteRevisions(this.client, revisionsToTruncate(all, live, ds.spec?.revisionHistoryLimit ?? 10));
    }
    const status = computeStatus(state);
    await this.writeStatus(ds, status, update.collisionCount);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, minReady * 1000);
    if (requeueAfterMs !== undefined) return { requeueAfterMs };
  }

  /** Carries out creations and deletions; returns when to look again for failed pods held back by backoff. */
  private async sync(key: string, ds: any, hash: string, actions: DaemonSetActions): Promise<number | undefined> {
    let retryMs: number | undefined;
    const ns = ds.metadata.namespace;
    for (const { pod, node, reason } of actions.delete) {
      if (reason === 'failed') {
        const wait = this.backoff.next(`${ds.metadata.uid}/${node}`);
        if (wait > 0) {
          retryMs = Math.min(retryMs ?? Infinity, wait);
          continue;
        }
        this.recorder.event(involved(ds), 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${ns}/${pod.metadata.name} on node ${node}, will try to kill it`);
      }
      this.expectations.expectDelete(key, keyOf(pod));
      try {
        await this.client.delete(pods, ns, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
        this.recorder.event(involved(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        if (isNotFound(err)) continue;
        this.recorder.event(involved(ds), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        this.expectations.forget(key);
        throw err;
      }
    }
    for (const node of actions.createOn) {
      try {
        const created = await this.client.create(pods, ns, newDaemonPod(ds, hash, node));
        this.expectations.expectCreate(key, keyOf(created));
        this.recorder.event(involved(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        this.recorder.event(involved(ds), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    }
    return retryMs;
  }

  /** Writes the computed status (and the revisions' collision count) when it changed. */
  private async writeStatus(ds: any, status: DaemonSetStatus, collisionCount: number): Promise<void> {
    const keepCount = collisionCount || ds.status?.collisionCount !== undefined;
    await writeStatusFields(this.client, daemonSets, ds, { ...status, ...(keepCount ? { collisionCount } : {}) });
  }
}

/**
 * Starts the DaemonSet controller on the context's shared informers (DaemonSets, nodes, pods,
 * ControllerRevisions); returns at once. The caller starts the informers (InformerFactory.start);
 * reconciles wait for their first lists. Pods are bound by the scheduler (their node affinity names
 * the node).
 */
export function startDaemonSetController(ctx: ControllerContext): ControllerHandle {
  const sets = ctx.informers.of('apps/daemonsets');
  const nodes = ctx.informers.of('core/nodes');
  const podInformer = ctx.informers.of('core/pods');
  const revisionInformer = ctx.informers.of<ControllerRevision>('apps/controllerrevisions');
  for (const informer of [sets, podInformer]) informer.addIndex(NAMESPACE_INDEX, byNamespace);
  const queue = new WorkQueue();

  const enqueue = (ds: any) => queue.add(keyOf(ds));
  sets.addHandlers({ onAdd: enqueue, onUpdate: (_o, ds) => enqueue(ds), onDelete: enqueue });
  // Any node change can change where DaemonSet pods belong.
  const enqueueAll = () => sets.list().forEach(enqueue);
  nodes.addHandlers({
    onAdd: enqueueAll,
    onUpdate: (old, node) => {
      const relevant = (n: any) => JSON.stringify([n.metadata.labels, n.spec?.taints, n.spec?.unschedulable]);
      if (relevant(old) !== relevant(node)) enqueueAll();
    },
    onDelete: enqueueAll,
  });
  podInformer.addHandlers(ownedObjectHandlers('DaemonSet', sets, NAMESPACE_INDEX, queue));

  const sync = new DaemonSetSync(ctx.client, ctx.recorder(COMPONENT), sets, nodes, podInformer, revisionInformer);
  return runController('daemonset', queue, (key) => sync.reconcile(key), ctx.logger, 2);
}
