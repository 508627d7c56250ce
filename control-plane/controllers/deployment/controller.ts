/**
 * Deployment controller, as upstream's pkg/controller/deployment: a Deployment is synced (sync.ts)
 * whenever it changes, whenever one of its ReplicaSets changes (or an orphan ReplicaSet its
 * selector matches appears), when the last pod of a Recreate Deployment's old ReplicaSets goes, and
 * again when its progress deadline falls due. Events are recorded as deployment-controller.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { controllerRefOf } from '../../api/owner-references.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import { byNamespace, byOwnerUid, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { NAMESPACE_INDEX, OWNER_UID_INDEX, type Stored } from '../replicaset-controller-ref.js';
import { syncDeployment } from './sync.js';

/** The Deployments of the ReplicaSet's namespace whose selector matches it (for orphans). */
function deploymentsSelecting(deployments: Informer<Stored<Deployment>>, rs: ReplicaSet): Deployment[] {
  return deployments.byIndex(NAMESPACE_INDEX, rs.metadata?.namespace ?? '').filter((d) => {
    try {
      const sel = selectorFromLabelSelector(d.spec?.selector);
      return !sel.empty() && sel.matches(rs.metadata?.labels);
    } catch {
      return false;
    }
  });
}

export function startDeploymentController(ctx: ControllerContext): ControllerHandle {
  const log = ctx.logger.child({ controller: 'deployment' });
  const recorder = ctx.recorder('deployment-controller');
  const deployments = ctx.informers.of<Stored<Deployment>>('apps/deployments');
  const rsInformer = ctx.informers.of<Stored<ReplicaSet>>('apps/replicasets');
  const podInformer = ctx.informers.of<Stored<Pod>>('core/pods');
  deployments.addIndex(NAMESPACE_INDEX, byNamespace);
  rsInformer.addIndex(NAMESPACE_INDEX, byNamespace);
  rsInformer.addIndex(OWNER_UID_INDEX, byOwnerUid);
  podInformer.addIndex(OWNER_UID_INDEX, byOwnerUid);
  const queue = new WorkQueue();

  /** The Deployment a controller reference names, if it is the one in the cache. */
  const resolve = (namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined) => {
    if (ref?.kind !== 'Deployment') return undefined;
    const d = deployments.get(`${namespace}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  };
  const enqueueOwner = (rs: ReplicaSet, ref = controllerRefOf(rs)) => {
    const d = resolve(rs.metadata?.namespace, ref);
    if (d) queue.add(keyOf(d));
  };
  const enqueueSelecting = (rs: ReplicaSet) => {
    for (const d of deploymentsSelecting(deployments, rs)) queue.add(keyOf(d));
  };

  deployments.addHandlers({
    onAdd: (d) => queue.add(keyOf(d)),
    onUpdate: (_old, d) => queue.add(keyOf(d)),
    onDelete: (d) => queue.add(keyOf(d)),
  });

  rsInformer.addHandlers({
    onAdd: (rs) => {
      if (controllerRefOf(rs)) enqueueOwner(rs);
      else if (!rs.metadata?.deletionTimestamp) enqueueSelecting(rs);
    },
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const oldRef = controllerRefOf(old);
      const curRef = controllerRefOf(cur);
      if (oldRef && oldRef.uid !== curRef?.uid) enqueueOwner(old, oldRef);
      if (curRef) {
        enqueueOwner(cur, curRef);
        return;
      }
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (labelsChanged || oldRef) enqueueSelecting(cur);
    },
    onDelete: (rs) => enqueueOwner(rs),
  });

  // A Recreate rollout waits for the old pods to be gone: look again when the last one goes.
  podInformer.addHandlers({
    onDelete: (pod) => {
      const rs = rsInformer.get(`${pod.metadata?.namespace}/${controllerRefOf(pod)?.name}`);
      if (!rs || rs.metadata?.uid !== controllerRefOf(pod)?.uid) return;
      const d = resolve(rs.metadata?.namespace, controllerRefOf(rs));
      if (d?.spec?.strategy?.type !== 'Recreate') return;
      const siblings = rsInformer.byIndex(OWNER_UID_INDEX, d.metadata!.uid!);
      if (siblings.every((s) => podInformer.byIndex(OWNER_UID_INDEX, s.metadata!.uid!).length === 0)) queue.add(keyOf(d));
    },
  });

  const reconcile = async (key: string): Promise<ReconcileResult | void> => {
    await Promise.all([deployments.waitForSync(), rsInformer.waitForSync(), podInformer.waitForSync()]);
    const d = deployments.get(key);
    if (!d) return;
    const requeueAfterMs = await syncDeployment({ client: ctx.client, recorder, replicaSets: rsInformer, pods: podInformer, log, now: Date.now }, d);
    if (requeueAfterMs !== undefined) return { requeueAfterMs };
  };

  return runController('deployment', queue, reconcile, ctx.logger, 5);
}
