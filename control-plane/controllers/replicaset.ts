/**
 * ReplicaSet controller, as upstream's pkg/controller/replicaset: keeps as many active pods as
 * spec.replicas, made from spec.template (name `<rs>-<random>`, the ReplicaSet as controller),
 * adopting matching orphans and releasing owned pods whose labels stopped matching. Creates go in
 * slow-start batches (1, 2, 4, …; at most 500 per sync); deletes pick the pods earliest in their
 * start-up (replicaset-ranking.ts). Expectations keep a lagging pod cache from causing a second
 * round of creates or deletes. Status (replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas, observedGeneration, ReplicaFailure) is written after every sync.
 * Events: SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete on the ReplicaSet.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector, type LabelSelector } from '../api/labels.js';
import { controllerRefOf, newControllerRef } from '../api/owner-references.js';
import { storageResource } from '../api/registry.js';
import { isNotFound } from '../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../client/controller.js';
import { byNamespace, byOwnerUid, keyOf, type Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerContext } from './context.js';
import { claimObjects, NAMESPACE_INDEX, OWNER_UID_INDEX, type Stored } from './replicaset-controller-ref.js';
import { ControllerExpectations } from './replicaset-expectations.js';
import { isPodActive, podFromTemplate } from './replicaset-pods.js';
import { podsToDelete } from './replicaset-ranking.js';
import { SLOW_START_INITIAL_BATCH, slowStartBatch } from './replicaset-slow-start.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './replicaset-status.js';
import { isPodReady } from './shared/pod-readiness.js';

/** Most pods created or deleted for one ReplicaSet in one sync (upstream's burstReplicas). */
export const BURST_REPLICAS = 500;

const replicaSets = storageResource('apps/replicasets');
const pods = storageResource('core/pods');

const involved = (rs: ReplicaSet) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata ?? {} });

/** The ReplicaSets of `namespace` whose selector matches `pod` (for orphans looking for an owner). */
function replicaSetsSelecting(rsInformer: Informer<Stored<ReplicaSet>>, pod: Pod): ReplicaSet[] {
  return rsInformer.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? '').filter((rs) => {
    try {
      const sel = selectorFromLabelSelector(rs.spec?.selector);
      return !sel.empty() && sel.matches(pod.metadata?.labels);
    } catch {
      return false;
    }
  });
}

export function startReplicaSetController(ctx: ControllerContext): ControllerHandle {
  const { client } = ctx;
  const log = ctx.logger.child({ controller: 'replicaset' });
  const recorder = ctx.recorder('replicaset-controller');
  const rsInformer = ctx.informers.of<Stored<ReplicaSet>>('apps/replicasets');
  const podInformer = ctx.informers.of<Stored<Pod>>('core/pods');
  rsInformer.addIndex(NAMESPACE_INDEX, byNamespace);
  rsInformer.addIndex(OWNER_UID_INDEX, byOwnerUid);
  podInformer.addIndex(NAMESPACE_INDEX, byNamespace);
  podInformer.addIndex(OWNER_UID_INDEX, byOwnerUid);
  const queue = new WorkQueue();
  const expectations = new ControllerExpectations();

  /** The ReplicaSet a controller reference names, if it is the one in the cache. */
  const resolve = (namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined) => {
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const rs = rsInformer.get(`${namespace}/${ref.name}`);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  };

  const enqueueOrphan = (pod: Pod) => {
    for (const rs of replicaSetsSelecting(rsInformer, pod)) queue.add(keyOf(rs));
  };

  const podDeleted = (pod: Pod) => {
    const rs = resolve(pod.metadata?.namespace, controllerRefOf(pod));
    if (!rs) return;
    const key = keyOf(rs);
    expectations.deletionObserved(key, keyOf(pod));
    queue.add(key);
  };

  rsInformer.addHandlers({
    onAdd: (rs) => queue.add(keyOf(rs)),
    onUpdate: (_old, rs) => queue.add(keyOf(rs)),
    onDelete: (rs) => {
      expectations.delete(keyOf(rs));
      queue.add(keyOf(rs));
    },
  });

  podInformer.addHandlers({
    onAdd: (pod) => {
      if (pod.metadata?.deletionTimestamp) {
        // A restarted controller can see a pod already terminating: it must not wait for it.
        podDeleted(pod);
        return;
      }
      const ref = controllerRefOf(pod);
      if (ref) {
        const rs = resolve(pod.metadata?.namespace, ref);
        if (!rs) return;
        expectations.creationObserved(keyOf(rs));
        queue.add(keyOf(rs));
        return;
      }
      enqueueOrphan(pod);
    },
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (cur.metadata?.deletionTimestamp) {
        podDeleted(cur);
        if (labelsChanged) podDeleted(old);
        return;
      }
      const oldRef = controllerRefOf(old);
      const curRef = controllerRefOf(cur);
      const refChanged = oldRef?.uid !== curRef?.uid;
      if (refChanged && oldRef) {
        const rs = resolve(old.metadata?.namespace, oldRef);
        if (rs) queue.add(keyOf(rs));
      }
      if (curRef) {
        const rs = resolve(cur.metadata?.namespace, curRef);
        if (!rs) return;
        queue.add(keyOf(rs));
        const minReady = rs.spec?.minReadySeconds ?? 0;
        // Available only minReadySeconds after becoming Ready: look again then.
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
        return;
      }
      if (labelsChanged || refChanged) enqueueOrphan(cur);
    },
    onDelete: podDeleted,
  });

  /** The pods of the ReplicaSet's siblings too (same controlling Deployment): for ranking by node. */
  const relatedPods = (rs: ReplicaSet): Pod[] => {
    const owner = controllerRefOf(rs);
    const siblings = owner ? rsInformer.byIndex(OWNER_UID_INDEX, owner.uid).filter((s) => controllerRefOf(s)?.uid === owner.uid) : [rs];
    return siblings.flatMap((s) => podInformer.byIndex(OWNER_UID_INDEX, s.metadata!.uid!));
  };

  const createPod = async (rs: ReplicaSet): Promise<void> => {
    const ns = rs.metadata!.namespace!;
    const pod = podFromTemplate(rs.spec!.template!, ns, rs.metadata!.name!, newControllerRef({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata }));
    try {
      const created = await client.create<Pod>(pods, ns, pod);
      recorder.event(involved(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    } catch (err) {
      recorder.event(involved(rs), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  };

  const deletePod = async (rs: ReplicaSet, pod: Pod): Promise<void> => {
    try {
      await client.delete(pods, pod.metadata!.namespace!, pod.metadata!.name!, { preconditions: { uid: pod.metadata!.uid } });
      recorder.event(involved(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`);
    } catch (err) {
      if (!isNotFound(err)) recorder.event(involved(rs), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  };

  /** Creates or deletes pods so that `owned` (active, claimed) comes to spec.replicas. */
  const manageReplicas = async (rs: ReplicaSet, owned: Pod[]): Promise<void> => {
    const key = keyOf(rs);
    const diff = owned.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      expectations.expectCreations(key, count);
      log.debug({ replicaSet: key, count }, 'creating pods');
      const { succeeded, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH, () => createPod(rs));
      // Creates never attempted or failed will never be observed.
      for (let i = succeeded; i < count; i++) expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const victims = podsToDelete(owned, relatedPods(rs), Math.min(diff, BURST_REPLICAS), Date.now());
      expectations.expectDeletions(key, victims.map(keyOf));
      log.debug({ replicaSet: key, count: victims.length }, 'deleting pods');
      const results = await Promise.allSettled(victims.map((pod) => deletePod(rs, pod)));
      let firstError: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        expectations.deletionObserved(key, keyOf(victims[i]!));
        if (!isNotFound(r.reason)) firstError ??= r.reason;
      });
      if (firstError) throw firstError;
    }
  };

  const claimPods = (rs: ReplicaSet, selector: LabelSelector, candidates: Pod[]): Promise<Pod[]> =>
    claimObjects(candidates, {
      owner: rs,
      selector,
      ref: newControllerRef({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata }),
      canAdopt: async () => {
        const fresh = await client.get<ReplicaSet>(replicaSets, rs.metadata!.namespace, rs.metadata!.name!);
        if (fresh.metadata?.uid !== rs.metadata?.uid) throw new Error(`original ReplicaSet ${keyOf(rs)} is gone: got uid ${fresh.metadata?.uid}, wanted ${rs.metadata?.uid}`);
        if (fresh.metadata?.deletionTimestamp) throw new Error(`ReplicaSet ${keyOf(rs)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
      patch: async (pod, patch) => {
        await client.patch(pods, pod.metadata!.namespace!, pod.metadata!.name!, 'strategic', patch);
      },
    });

  const reconcile = async (key: string): Promise<ReconcileResult | void> => {
    await Promise.all([rsInformer.waitForSync(), podInformer.waitForSync()]);
    const rs = rsInformer.get(key);
    if (!rs) {
      expectations.delete(key);
      return;
    }
    // Read before looking at pods: pods seen now include every creation the expectations await.
    const needsSync = expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(rs.spec?.selector);
    } catch (err) {
      log.warn({ replicaSet: key, err: (err as Error).message }, 'invalid selector; not syncing');
      return;
    }
    const candidates = podInformer.byIndex(NAMESPACE_INDEX, rs.metadata!.namespace!).filter(isPodActive);
    const owned = await claimPods(rs, selector, candidates);

    let manageError: Error | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await manageReplicas(rs, owned);
      } catch (err) {
        manageError = err as Error;
      }
    }
    const status = calculateReplicaSetStatus(rs, owned, manageError, Date.now());
    if (replicaSetStatusChanged(rs, status)) {
      status.observedGeneration = rs.metadata?.generation;
      await client.update(replicaSets, rs.metadata!.namespace, rs.metadata!.name!, { ...rs, status }, 'status');
    }
    if (manageError) throw manageError;
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const replicas = rs.spec?.replicas ?? 1;
    // A last look once the Ready pods have been Ready long enough to count as available.
    if (minReady > 0 && (status.readyReplicas ?? 0) === replicas && (status.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  };

  return runController('replicaset', queue, reconcile, ctx.logger, 5);
}
