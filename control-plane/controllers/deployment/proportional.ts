/**
 * Scaling a Deployment whose spec.replicas changed (kubectl scale, an autoscaler) or that is
 * paused, as upstream's sync/scale: with one active ReplicaSet it simply takes the new size; in
 * the middle of a RollingUpdate the change is shared among the active ReplicaSets in proportion
 * to their sizes (each ReplicaSet remembers the Deployment size it was scaled for in max-replicas),
 * so a rollout in progress neither speeds up nor loses its balance. Pure.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './annotations.js';
import { desiredReplicas, isRollingUpdate, maxSurge } from './fenceposts.js';
import { activeReplicaSets, bySizeNewer, bySizeOlder, findActiveOrLatest, isSaturated, specReplicaCount, specReplicas, type ScaleAction } from './replicasets.js';

/** Whether an active ReplicaSet was last scaled for a different Deployment size than spec.replicas. */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  const all = newRS ? [...oldRSs, newRS] : oldRSs;
  return activeReplicaSets(all).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(d);
  });
}

/** Upstream's integer.RoundToInt32: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? Math.ceil(x - 0.5) : Math.floor(x + 0.5);
}

/** How many replicas `rs` gains (negative: loses) when the Deployment goes to its new size. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const desired = desiredReplicas(d);
  if (desired === 0) return -specReplicas(rs);
  const deploymentReplicas = desired + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated <= 0) return 0;
  return roundHalfAway((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/** The share of `toAdd` (of which `added` is handed out already) that `rs` gets (upstream's GetProportion). */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The scale actions of a scaling event. Every active ReplicaSet gets an action in the
 * proportional case (also those whose size stays: their replicas annotations are refreshed).
 */
export function proportionalScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ScaleAction[] {
  const desired = desiredReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) return specReplicas(single) === desired ? [] : [{ rs: single, replicas: desired }];
  // A saturated new ReplicaSet (e.g. after adopting one) leaves nothing for the old ones.
  if (isSaturated(d, newRS)) return activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];

  const all = activeReplicaSets(newRS ? [...oldRSs, newRS] : oldRSs);
  const allowedSize = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowedSize - specReplicaCount(all);
  // Equal sizes: scale newer ones up first and older ones down first.
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of all) {
    const p = proportion(rs, d, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  // What rounding left over goes to the largest ReplicaSet.
  if (all.length && toAdd !== 0) sizes.set(all[0]!, Math.max(0, sizes.get(all[0]!)! + toAdd - added));
  return all.map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}
