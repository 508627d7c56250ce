/**
 * Pod readiness as upstream's podutil reads it, for the controllers that roll pods one at a time:
 * Ready is the Ready condition True; available is Ready for at least minReadySeconds. Pure.
 */

function readyCondition(pod: any): any | undefined {
  return pod?.status?.conditions?.find((c: any) => c.type === 'Ready');
}

export function isPodReady(pod: any): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Phase Running and Ready. */
export function isRunningAndReady(pod: any): boolean {
  return pod?.status?.phase === 'Running' && isPodReady(pod);
}

/**
 * Milliseconds until the pod counts as available: 0 when it already is, undefined when it is not
 * Ready (nothing to wait for). Ready since lastTransitionTime; a Ready condition without one counts
 * from now.
 */
export function msUntilAvailable(pod: any, minReadySeconds: number, now: number): number | undefined {
  const cond = readyCondition(pod);
  if (cond?.status !== 'True') return undefined;
  if (!minReadySeconds) return 0;
  const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : now;
  return Math.max(0, since + minReadySeconds * 1000 - now);
}

/** Ready for at least minReadySeconds. */
export function isPodAvailable(pod: any, minReadySeconds: number, now: number): boolean {
  return msUntilAvailable(pod, minReadySeconds, now) === 0;
}
