/**
 * A Deployment's status from its ReplicaSets, as upstream's calculateStatus: replicas (active
 * pods of all its ReplicaSets), updatedReplicas (those of the new one), ready, available and
 * unavailable counts, the observed generation, and the Available condition (True while at least
 * replicas - maxUnavailable pods are available). Other conditions are carried over. Pure.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { AVAILABLE, Message, newCondition, Reason, setCondition } from './conditions.js';
import { desiredReplicas, maxUnavailable } from './fenceposts.js';
import { canonicalJson } from './hash.js';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, specReplicaCount } from './replicasets.js';

const COUNTS = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const;

/** The status as upstream serializes it: zero counts and an empty condition list left out. */
export function withoutZeros(status: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = { ...status };
  for (const k of COUNTS) if (!out[k]) delete out[k];
  if (!out.conditions?.length) delete out.conditions;
  if (out.collisionCount === undefined) delete out.collisionCount;
  return out;
}

/** Whether two statuses say the same (absent and zero counts are the same). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return canonicalJson(withoutZeros(a ?? {})) === canonicalJson(withoutZeros(b ?? {}));
}

export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(specReplicaCount(allRSs) - available, 0),
    collisionCount: d.status?.collisionCount,
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', Reason.MinimumReplicasAvailable, Message.available, nowMs));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', Reason.MinimumReplicasUnavailable, Message.unavailable, nowMs));
  }
  return withoutZeros(status);
}
