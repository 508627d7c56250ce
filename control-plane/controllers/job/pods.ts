/**
 * What the Job controller reads from its pods, as upstream's job controller reads it: which pods
 * are active, terminating, ready, failed or succeeded, their completion index, when they finished
 * and how often their containers restarted. Pure functions over pod objects.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady, podReadySince } from '../shared/pod-readiness.js';

/** Keeps a finished pod until the controller has counted it in the Job's status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and label) with an Indexed Job pod's completion index. */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Running or about to run: not finished and not being deleted. */
export function isActive(pod: Pod): boolean {
  return !isTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

/** Being deleted before it finished. */
export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && !isTerminal(pod);
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/**
 * Whether the pod counts as a failure: phase Failed, or (unless only failed pods are replaced)
 * deleted before it succeeded, as such a pod never gets the chance to reach Failed.
 */
export function isFailed(pod: Pod, onlyReplaceFailed: boolean): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailed) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** The completion index of an Indexed Job's pod, or undefined when missing or malformed. */
export function completionIndex(pod: Pod): number | undefined {
  const value = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** When the pod finished: its last container's finishedAt, else its deletion time, else `now`. */
export function finishTime(pod: Pod, now: Date): number {
  let latest: number | undefined;
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const deleted = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  return Number.isNaN(deleted) ? now.getTime() : deleted;
}

/** Container restarts (init and app containers) of the pod. */
export function restartCount(pod: Pod): number {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const readySince = (pod: Pod): number => podReadySince(pod) ?? 0;

/**
 * Orders active pods as upstream's controller.ActivePods, the cheapest to lose first: unscheduled
 * before scheduled, Pending before Unknown before Running, not ready before ready, ready more
 * recently before ready longer, more restarts before fewer, newer before older.
 */
export function compareForRemoval(a: Pod, b: Pod): number {
  const scheduled = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const rank = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
  if (isPodReady(a) && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
  if (restartCount(a) !== restartCount(b)) return restartCount(b) - restartCount(a);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  return created(b) - created(a);
}
