/**
 * The RollingUpdate limits of a Deployment in pods, as upstream's deploymentutil: maxSurge and
 * maxUnavailable are ints or percentages of spec.replicas; a percentage is rounded up for the
 * surge and down for unavailability, and when both come out 0 one pod may be unavailable
 * (upstream's ResolveFenceposts), or the rollout could never move. Pure.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';

export type IntOrPercent = number | string;

/**
 * The count an int-or-percent stands for out of `total` (upstream's
 * GetScaledValueFromIntOrPercent); undefined or malformed values count as 0, as upstream
 * ignores the error (validation refuses them before they are stored).
 */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^([+-]?\d+)%$/.exec(value) : null;
  if (!m) return 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Whether the Deployment uses the RollingUpdate strategy (the default). */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** spec.replicas, defaulted as upstream does (1). */
export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

/** maxSurge and maxUnavailable in pods for `desired` replicas; never both 0. */
export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** How many pods above spec.replicas may exist during a rollout; 0 unless RollingUpdate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

/** How many of spec.replicas may be unavailable during a rollout (at most all); 0 unless RollingUpdate. */
export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desired).unavailable, desired);
}
