/**
 * Rollout progress, as upstream's progress.go and deploymentutil: the Progressing condition moves
 * to ReplicaSetUpdated whenever the rollout advances (more updated, ready or available pods, fewer
 * old ones), to NewReplicaSetAvailable once complete, and to ProgressDeadlineExceeded when
 * progressDeadlineSeconds pass without progress since its lastUpdateTime. A paused Deployment
 * shows DeploymentPaused (Unknown), so time spent paused never counts as lack of progress.
 * ReplicaFailure conditions of the ReplicaSets (the new one's first) are carried up. Pure.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { getCondition, Message, newCondition, PROGRESSING, Reason, removeCondition, REPLICA_FAILURE, setCondition } from './conditions.js';
import { desiredReplicas } from './fenceposts.js';
import { calculateStatus, withoutZeros } from './status.js';

/** progressDeadlineSeconds meaning "no deadline" (MaxInt32), as upstream. */
const NO_DEADLINE = 2147483647;

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== NO_DEADLINE;
}

/** All replicas updated and available, nothing old left, and the latest spec observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const desired = desiredReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** Whether `next` shows progress over the Deployment's current status. */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const cur = d.status ?? {};
  const curOld = (cur.replicas ?? 0) - (cur.updatedReplicas ?? 0);
  const nextOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (cur.updatedReplicas ?? 0) ||
    nextOld < curOld ||
    (next.readyReplicas ?? 0) > (cur.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (cur.availableReplicas ?? 0)
  );
}

/** Whether the deadline passed since the Progressing condition was last updated. */
export function deploymentTimedOut(d: Deployment, next: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(next, PROGRESSING);
  if (!cond) return false;
  if (cond.reason === Reason.NewReplicaSetAvailable) return false;
  if (cond.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + d.spec!.progressDeadlineSeconds! * 1000 < nowMs;
}

/** ReplicaFailure conditions of the new ReplicaSet, else of any, as Deployment conditions. */
function replicaFailures(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const failures = (rss: ReplicaSet[]) =>
    rss.flatMap((rs) =>
      (rs.status?.conditions ?? [])
        .filter((c) => c.type === REPLICA_FAILURE)
        .map((c) => ({ type: REPLICA_FAILURE, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message })),
    );
  const fromNew = newRS ? failures([newRS]) : [];
  return fromNew.length ? fromNew : failures(allRSs);
}

/** The status a rollout sync writes (upstream's syncRolloutStatus). */
export function rolloutStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const next: DeploymentStatus = { ...calculateStatus(allRSs, newRS, d, nowMs) };
  next.conditions = [...(next.conditions ?? [])];
  if (!hasProgressDeadline(d)) removeCondition(next, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const name = d.metadata?.name ?? '';
  const rsName = newRS?.metadata?.name;
  const alreadyComplete = (next.replicas ?? 0) === (next.updatedReplicas ?? 0) && current?.reason === Reason.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !alreadyComplete) {
    if (deploymentComplete(d, next)) {
      setCondition(next, newCondition(PROGRESSING, 'True', Reason.NewReplicaSetAvailable, Message.complete(rsName, name), nowMs));
    } else if (deploymentProgressing(d, next)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason (which setCondition would keep).
      const cond = newCondition(PROGRESSING, 'True', Reason.ReplicaSetUpdated, Message.progressing(rsName, name), nowMs);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(next, PROGRESSING);
      setCondition(next, cond);
    } else if (deploymentTimedOut(d, next, nowMs)) {
      setCondition(next, newCondition(PROGRESSING, 'False', Reason.ProgressDeadlineExceeded, Message.timedOut(rsName, name), nowMs));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setCondition(next, failures[0]!);
  else removeCondition(next, REPLICA_FAILURE);
  return withoutZeros(next);
}

/**
 * When to look at a rollout again to see whether it timed out (upstream's requeueStuckDeployment):
 * the Progressing condition's lastUpdateTime plus the deadline; undefined when there is nothing to
 * wait for (no deadline, complete, or already timed out).
 */
export function stuckRequeueAfterMs(d: Deployment, next: DeploymentStatus, nowMs: number): number | undefined {
  const current = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, next) || current.reason === Reason.ProgressDeadlineExceeded) return undefined;
  const from = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return Math.max(from + d.spec!.progressDeadlineSeconds! * 1000 - nowMs, 250);
}

/**
 * The status with the paused/resumed Progressing condition when it must change (upstream's
 * checkPausedConditions); undefined when nothing changes. A timed-out rollout keeps its condition.
 */
export function pausedStatus(d: Deployment, nowMs: number): DeploymentStatus | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cond = getCondition(d.status, PROGRESSING);
  if (cond?.reason === Reason.ProgressDeadlineExceeded) return undefined;
  const pausedShown = cond?.reason === Reason.DeploymentPaused;
  const paused = d.spec?.paused === true;
  if (paused === pausedShown) return undefined;
  const next: DeploymentStatus = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? [])] };
  if (paused) setCondition(next, newCondition(PROGRESSING, 'Unknown', Reason.DeploymentPaused, Message.paused, nowMs));
  else setCondition(next, newCondition(PROGRESSING, 'Unknown', Reason.DeploymentResumed, Message.resumed, nowMs));
  return next;
}
