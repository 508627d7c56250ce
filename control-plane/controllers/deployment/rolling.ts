/**
 * One sync's worth of a RollingUpdate, as upstream's rolloutRolling: first scale the new
 * ReplicaSet up as far as maxSurge allows; if that is not possible, scale old ReplicaSets down as
 * far as maxUnavailable allows (old ReplicaSets' unhealthy pods first, since removing them costs
 * no availability). Repeated syncs move all pods to the new template while never more than
 * replicas + maxSurge pods exist and never fewer than replicas - maxUnavailable are available.
 * Pure: returns the scale actions, in the order to apply them.
 *
 * Two refinements over upstream keep the bounds while ReplicaSet statuses lag behind their specs
 * (upstream briefly breaks them then): the pods counted against the surge are, per ReplicaSet, the
 * larger of spec.replicas and status.replicas, so an old ReplicaSet told to shrink still counts the
 * pods it has not deleted yet; and the available pods counted, per ReplicaSet, are at most
 * spec.replicas, so pods an old ReplicaSet is about to delete are not counted as serving.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { desiredReplicas, isRollingUpdate, maxSurge, maxUnavailable } from './fenceposts.js';
import { activeReplicaSets, byCreation, specReplicaCount, specReplicas, type ScaleAction } from './replicasets.js';

/** Available pods that stay: per ReplicaSet at most spec.replicas (extra ones are being deleted). */
function availableThatStay(rs: ReplicaSet): number {
  return Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));
}

/** Pods that exist or are about to: per ReplicaSet the larger of spec and status replicas. */
function podsThatMayExist(rss: ReplicaSet[]): number {
  return rss.reduce((n, rs) => n + Math.max(specReplicas(rs), rs.status?.replicas ?? 0), 0);
}

/**
 * The size the new ReplicaSet may have now (upstream's NewRSNewReplicas): for RollingUpdate as
 * many more as the surge leaves room for, up to spec.replicas; for Recreate spec.replicas.
 */
export function newReplicaSetReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = specReplicas(newRS);
  const maxTotal = desired + maxSurge(d);
  const existing = podsThatMayExist(allRSs);
  if (existing >= maxTotal) return current;
  return current + Math.min(maxTotal - existing, desired - current);
}

/** Scaling of the new ReplicaSet toward spec.replicas, if any is possible now. */
export function reconcileNewReplicaSet(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): ScaleAction | undefined {
  const desired = desiredReplicas(d);
  const current = specReplicas(newRS);
  if (current === desired) return undefined;
  if (current > desired) return { rs: newRS, replicas: desired };
  const replicas = newReplicaSetReplicas(d, allRSs, newRS);
  return replicas !== current ? { rs: newRS, replicas } : undefined;
}

/**
 * Scale-downs of the active old ReplicaSets (oldest first) that keep at least
 * replicas - maxUnavailable pods available (upstream's reconcileOldReplicaSets). Unavailable pods
 * of the new ReplicaSet are not counted as available, so a broken new template stops the old
 * ReplicaSets from shrinking further.
 */
export function scaleDownOldReplicaSets(d: Deployment, allRSs: ReplicaSet[], activeOldRSs: ReplicaSet[], newRS: ReplicaSet): ScaleAction[] {
  if (specReplicaCount(activeOldRSs) === 0) return [];
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - availableThatStay(newRS);
  const maxScaledDown = specReplicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const oldest = [...activeOldRSs].sort(byCreation);
  const planned = new Map(oldest.map((rs) => [rs, specReplicas(rs)]));
  // Unhealthy replicas first: deleting them does not lower availability.
  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    const size = planned.get(rs)!;
    const unhealthy = size - availableThatStay(rs);
    if (size === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    planned.set(rs, size - n);
    cleaned += n;
  }
  // Then healthy ones, as far as availability allows.
  const available = [...activeOldRSs, newRS].reduce((n, rs) => n + availableThatStay(rs), 0);
  if (available > minAvailable) {
    const toScaleDown = available - minAvailable;
    let scaled = 0;
    for (const rs of oldest) {
      if (scaled >= toScaleDown) break;
      const size = planned.get(rs)!;
      if (size === 0) continue;
      const n = Math.min(size, toScaleDown - scaled);
      planned.set(rs, size - n);
      scaled += n;
    }
  }
  return oldest.filter((rs) => planned.get(rs) !== specReplicas(rs)).map((rs) => ({ rs, replicas: planned.get(rs)! }));
}

/** The actions of one RollingUpdate sync: a scale-up of the new ReplicaSet, else scale-downs of old ones. */
export function rollingUpdateStep(d: Deployment, newRS: ReplicaSet, oldRSs: ReplicaSet[]): ScaleAction[] {
  const allRSs = [...oldRSs, newRS];
  const up = reconcileNewReplicaSet(d, allRSs, newRS);
  if (up) return [up];
  return scaleDownOldReplicaSets(d, allRSs, activeReplicaSets(oldRSs), newRS);
}
