/**
 * A ReplicaSet's status from the pods it owns, as upstream's calculateStatus: replicas (active
 * pods), fullyLabeledReplicas (pods carrying all template labels), readyReplicas,
 * availableReplicas (Ready for minReadySeconds) and the ReplicaFailure condition, set while
 * creating or deleting pods fails and removed once it works again. Pure.
 */
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../api/labels.js';
import { isPodAvailable, isPodReady } from './shared/pod-readiness.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

/** A time as Kubernetes writes it: RFC 3339, whole seconds, UTC. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The new status. `pods` are the ReplicaSet's active pods; `manageError` the error of this sync's
 * creates or deletes, if any. observedGeneration is left as it was (set when writing).
 */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: Pod[], manageError: Error | undefined, nowMs: number): ReplicaSetStatus {
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  const status: ReplicaSetStatus = { ...(rs.status ?? {}), replicas: pods.length };
  let conditions = [...(status.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: ReplicaSetCondition = { type: REPLICA_FAILURE, status: 'True', reason, message: manageError.message, lastTransitionTime: rfc3339(nowMs) };
    conditions = [...conditions.filter((c) => c.type !== REPLICA_FAILURE), cond];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  status.conditions = conditions;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return withoutEmpty(status);
}

/** The status as upstream serializes it: zero counts and empty lists omitted (replicas always present). */
function withoutEmpty(status: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: status.replicas };
  if (status.fullyLabeledReplicas) out.fullyLabeledReplicas = status.fullyLabeledReplicas;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.availableReplicas) out.availableReplicas = status.availableReplicas;
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}

/** Whether `status` (with observedGeneration = the object's generation) differs from what is stored. */
export function replicaSetStatusChanged(rs: ReplicaSet, status: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) !== status.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== (status.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (status.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (status.availableReplicas ?? 0) ||
    (cur.observedGeneration ?? 0) !== (rs.metadata?.generation ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(status.conditions ?? [])
  );
}
