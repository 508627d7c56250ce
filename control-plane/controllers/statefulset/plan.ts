/**
 * The StatefulSet reconciliation as a pure function (upstream's updateStatefulSet): from the set,
 * its current and update revisions, the pods it owns and the namespace's claims, the actions to take
 * now and the status to report.
 *
 * - Replicas are the ordinals [start, start + replicas); missing ones are created with their
 *   claims, below the partition at the current revision and otherwise at the update revision.
 * - OrderedReady (monotonic): one step at a time in ordinal order; nothing proceeds past a pod that
 *   is not Running and Ready (and available after minReadySeconds) or is terminating. Condemned
 *   pods (ordinals out of range) are deleted from the highest ordinal, one at a time, each after the
 *   previous is gone. Parallel: creations and deletions all at once.
 * - A Failed or Succeeded pod is deleted and comes back on a later pass.
 * - RollingUpdate: from the highest ordinal down to the partition, the first pod not at the update
 *   revision is deleted (it comes back at the update revision), after every higher one is Running
 *   and Ready. OnDelete: pods change only when the user deletes them.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isRunningAndReady, msUntilAvailable } from '../shared/pod-readiness.js';
import { claimsFor, identityLabels, identityMatches, newStatefulSetPod, ordinalOf, replicaCount, REVISION_LABEL, startOrdinal } from './identity.js';
import { claimIsStale, wantedClaimOwnerRefs } from './retention.js';

export interface StatefulSetState {
  /** The set as stored. */
  set: any;
  /** The set with its current revision's template, and with its update revision's. */
  currentSet: any;
  updateSet: any;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  /** The pods the set owns. */
  pods: readonly any[];
  /** The namespace's PersistentVolumeClaims by name. */
  claims: ReadonlyMap<string, any>;
  /** Milliseconds since the epoch. */
  now: number;
}

export type DeleteReason = 'failed' | 'succeeded' | 'scale-down' | 'update';

export type StatefulSetAction =
  /** Create the missing claims (in order), then the pod. */
  | { kind: 'createPod'; pod: any; claims: any[] }
  /** Create claims a pending pod lacks. */
  | { kind: 'createClaims'; pod: any; claims: any[] }
  | { kind: 'deletePod'; pod: any; reason: DeleteReason }
  /** Put the identity labels back on a pod. */
  | { kind: 'fixIdentity'; pod: any; labels: Record<string, string> }
  /** Set a claim's ownerReferences for the retention policy. */
  | { kind: 'setClaimOwners'; claim: any; pod: any; ownerReferences: OwnerReference[] };

export interface StatefulSetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

export interface StatefulSetPlan {
  actions: StatefulSetAction[];
  status: StatefulSetStatus;
  /** Look again after this long (a pod's minReadySeconds running out, a stale claim going). */
  requeueAfterMs?: number;
}

const STALE_CLAIM_RECHECK_MS = 1000;

const revisionOf = (pod: any): string | undefined => pod.metadata.labels?.[REVISION_LABEL];
const isTerminating = (pod: any) => !!pod.metadata.deletionTimestamp;
const isHealthy = (pod: any) => isRunningAndReady(pod) && !isTerminating(pod);

/** Counts over the observed pods, then completes a finished rolling update (upstream's status rules). */
function computeStatus(s: StatefulSetState): StatefulSetStatus {
  const minReady = s.set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: s.set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: s.currentRevision,
    updateRevision: s.updateRevision,
    collisionCount: s.collisionCount,
  };
  for (const pod of s.pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (msUntilAvailable(pod, minReady, s.now) === 0) status.availableReplicas++;
    }
    if (!isTerminating(pod)) {
      if (revisionOf(pod) === s.currentRevision) status.currentReplicas++;
      if (revisionOf(pod) === s.updateRevision) status.updatedReplicas++;
    }
  }
  const rolling = (s.set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

/** Whether a new pod of `ordinal` is made at the current revision (below the partition) rather than the update one. */
function wantsCurrentRevision(s: StatefulSetState, ordinal: number): boolean {
  const strategy = s.currentSet.spec?.updateStrategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const start = startOrdinal(s.currentSet);
  if (strategy.rollingUpdate?.partition !== undefined) return ordinal < start + strategy.rollingUpdate.partition;
  return ordinal < start + (s.set.status?.currentReplicas ?? 0);
}

/** One slot of the replica range: the pod there, or the one to create. */
interface Slot {
  ordinal: number;
  pod: any;
  exists: boolean;
}

export function planStatefulSet(s: StatefulSetState): StatefulSetPlan {
  const status = computeStatus(s);
  const actions: StatefulSetAction[] = [];
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number) => (requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms));
  const done = (): StatefulSetPlan => ({ actions, status, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) });

  const { set } = s;
  const start = startOrdinal(set);
  const count = replicaCount(set);
  const minReady = set.spec?.minReadySeconds ?? 0;
  const byOrdinal = new Map<number, any>();
  const condemned: any[] = [];
  for (const pod of s.pods) {
    const ord = ordinalOf(pod);
    if (ord < 0) continue;
    if (ord >= start && ord < start + count) byOrdinal.set(ord, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const slots: Slot[] = [];
  for (let ord = start; ord < start + count; ord++) {
    const pod = byOrdinal.get(ord);
    if (pod) slots.push({ ordinal: ord, pod, exists: true });
    else {
      const current = wantsCurrentRevision(s, ord);
      const pod = newStatefulSetPod(current ? s.currentSet : s.updateSet, ord, current ? s.currentRevision : s.updateRevision);
      slots.push({ ordinal: ord, pod, exists: false });
    }
  }
  // The lowest-ordinal unhealthy pod may be deleted even in OrderedReady mode (it blocks nothing).
  const unhealthy = [...slots.filter((x) => !x.exists || !isHealthy(x.pod)).map((x) => x.ordinal), ...condemned.filter((p) => !isHealthy(p)).map(ordinalOf)];
  const firstUnhealthy = unhealthy.length ? Math.min(...unhealthy) : undefined;

  if (set.metadata.deletionTimestamp) return done();
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';

  const fixClaimOwners = (pod: any) => {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const found = s.claims.get(claim.metadata.name);
      const refs = found && wantedClaimOwnerRefs(found, set, pod);
      if (refs) actions.push({ kind: 'setClaimOwners', claim: found, pod, ownerReferences: refs });
    }
  };
  const missingClaims = (pod: any) => [...claimsFor(set, ordinalOf(pod)).values()].filter((c) => !s.claims.has(c.metadata.name));

  /** One replica slot; returns true when an OrderedReady set must stop here for now. */
  const processReplica = (slot: Slot): boolean => {
    const { pod } = slot;
    if (slot.exists && (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')) {
      if (!isTerminating(pod)) actions.push({ kind: 'deletePod', pod, reason: pod.status.phase === 'Failed' ? 'failed' : 'succeeded' });
      return true;
    }
    if (!slot.exists) {
      const claims = [...claimsFor(set, slot.ordinal).values()];
      if (claims.some((c) => s.claims.has(c.metadata.name) && claimIsStale(s.claims.get(c.metadata.name)))) {
        requeue(STALE_CLAIM_RECHECK_MS);
        return true;
      }
      actions.push({ kind: 'createPod', pod, claims: claims.filter((c) => !s.claims.has(c.metadata.name)) });
      return monotonic;
    }
    if (pod.status?.phase === 'Pending') {
      const missing = missingClaims(pod);
      if (missing.length) actions.push({ kind: 'createClaims', pod, claims: missing });
    }
    if (isTerminating(pod)) return monotonic;
    if (!isRunningAndReady(pod) && monotonic) return true;
    const wait = msUntilAvailable(pod, minReady, s.now);
    if (wait !== undefined && wait > 0) {
      requeue(wait);
      if (monotonic) return true;
    }
    if (!identityMatches(set, pod)) actions.push({ kind: 'fixIdentity', pod, labels: identityLabels(pod.metadata.name) });
    fixClaimOwners(pod);
    return false;
  };

  for (const slot of slots) {
    if (processReplica(slot) && monotonic) return done();
  }
  for (const pod of condemned) if (!isTerminating(pod)) fixClaimOwners(pod);

  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return done();
      continue;
    }
    if (monotonic && ordinalOf(pod) !== firstUnhealthy) {
      if (!isRunningAndReady(pod)) return done();
      const wait = msUntilAvailable(pod, minReady, s.now) ?? 0;
      if (wait > 0) {
        requeue(wait);
        return done();
      }
    }
    actions.push({ kind: 'deletePod', pod, reason: 'scale-down' });
    if (monotonic) return done();
  }

  const strategy = set.spec?.updateStrategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') return done();
  const partition = strategy.rollingUpdate?.partition ?? 0;
  for (let i = slots.length - 1; i >= partition; i--) {
    const slot = slots[i]!;
    if (slot.exists && revisionOf(slot.pod) !== s.updateRevision && !isTerminating(slot.pod)) {
      actions.push({ kind: 'deletePod', pod: slot.pod, reason: 'update' });
      return done();
    }
    if (!slot.exists || !isHealthy(slot.pod)) return done();
  }
  return done();
}
