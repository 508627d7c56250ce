/**
 * Deployment conditions as upstream's deploymentutil keeps them: their types, reasons and
 * messages, and the rules for replacing one (a condition with the same status and reason is left
 * as it is; a new reason with the same status keeps lastTransitionTime). Functions edit the
 * status given (a copy) in place.
 */
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { rfc3339 } from '../replicaset-status.js';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';

export const Reason = {
  /** Progressing True: a new ReplicaSet was created. */
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  /** Progressing True: the new ReplicaSet was found (no Progressing condition before). */
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  /** Progressing True: the rollout made progress. */
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  /** Progressing True: the rollout is complete. */
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  /** Progressing False: no progress for progressDeadlineSeconds. */
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  /** Progressing False: the new ReplicaSet could not be created. */
  ReplicaSetCreateError: 'ReplicaSetCreateError',
  /** Progressing Unknown while paused, and once resumed. */
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** Upstream's message texts (kubectl rollout status and describe show them). */
export const Message = {
  created: (rs: string) => `Created new replica set "${rs}"`,
  found: (rs: string) => `Found new replica set "${rs}"`,
  createFailed: (rs: string, err: string) => `Failed to create new replica set "${rs}": ${err}`,
  progressing: (rsName: string | undefined, deployment: string) => (rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${deployment}" is progressing.`),
  complete: (rsName: string | undefined, deployment: string) => (rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${deployment}" has successfully progressed.`),
  timedOut: (rsName: string | undefined, deployment: string) => (rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${deployment}" has timed out progressing.`),
  paused: 'Deployment is paused',
  resumed: 'Deployment is resumed',
  available: 'Deployment has minimum availability.',
  unavailable: 'Deployment does not have minimum availability.',
} as const;

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Puts `cond` in place of the condition of its type (upstream's SetDeploymentCondition). */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}
