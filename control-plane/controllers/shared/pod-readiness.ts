/**
 * Pod readiness as upstream's podutil reads it, for every controller that counts or ranks pods
 * (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, endpoints): Ready is the first Ready
 * condition being True; available is Ready for longer than minReadySeconds (IsPodAvailable).
 * Pure functions over pod JSON; a malformed or missing time reads as unknown, never as an error.
 */

/** What readiness looks at: the pod's phase and conditions. */
interface PodLike {
  status?: { phase?: string; conditions?: readonly { type: string; status: string; lastTransitionTime?: string }[] };
}

function readyCondition(pod: PodLike | undefined) {
  return pod?.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: PodLike | undefined): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Phase Running and Ready. */
export function isRunningAndReady(pod: PodLike | undefined): boolean {
  return pod?.status?.phase === 'Running' && isPodReady(pod);
}

/** When a Ready pod last became Ready (ms since the epoch), or undefined when unknown or not Ready. */
export function podReadySince(pod: PodLike): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for more than `minReadySeconds` at `nowMs`, as upstream's IsPodAvailable: with
 * minReadySeconds 0 every Ready pod is available; otherwise one whose Ready time is unknown is not.
 */
export function isPodAvailable(pod: PodLike, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/**
 * Milliseconds until the pod has been Ready for minReadySeconds (how long a controller pacing a
 * rollout waits): 0 once it has, undefined when it is not Ready (nothing to wait for). Ready since
 * lastTransitionTime; a Ready condition without one counts from `now`.
 */
export function msUntilAvailable(pod: PodLike, minReadySeconds: number, now: number): number | undefined {
  const cond = readyCondition(pod);
  if (cond?.status !== 'True') return undefined;
  if (!minReadySeconds) return 0;
  const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : now;
  return Math.max(0, since + minReadySeconds * 1000 - now);
}
