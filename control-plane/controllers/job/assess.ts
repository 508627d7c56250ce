/**
 * The first step of a Job sync, as upstream's syncJob: from the Job and its pods, count what is
 * active, ready, terminating, succeeded and failed (counted pods plus those not yet counted), and
 * decide whether the Job has met its success criteria or must fail (backoff limit, active deadline).
 * Pure.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../shared/pod-readiness.js';
import { BACKOFF_LIMIT_EXCEEDED, DEADLINE_EXCEEDED, findCondition, rfc3339, terminalFor, type TargetCondition } from './conditions.js';
import { parseIndexes } from './indexes.js';
import { completionIndex, hasTrackingFinalizer, isActive, isFailed, isTerminating, restartCount } from './pods.js';

export const DEFAULT_BACKOFF_LIMIT = 6;

export interface Assessment {
  /** Pods running or about to run. */
  active: Pod[];
  ready: number;
  /** Pods being deleted before they finished. */
  terminating: number;
  /** Finished pods not counted in status yet (neither in the counters nor in uncountedTerminatedPods). */
  newSucceeded: Pod[];
  newFailed: Pod[];
  succeeded: number;
  failed: number;
  /** Indexed Jobs: the indexes already counted, and those plus the newly succeeded ones. */
  countedIndexes?: Set<number>;
  succeededIndexes?: Set<number>;
  /** Where the Job is heading: SuccessCriteriaMet, FailureTarget, or (interim already recorded) Complete/Failed. */
  target?: TargetCondition;
  /** Look again after this long: the active deadline falls then. */
  deadlineInMs?: number;
}

export function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

export function isSuspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** Only pods in phase Failed are replaced (podReplacementPolicy Failed); otherwise terminating pods are too. */
export function onlyReplaceFailed(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed';
}

/** A pod's completion index if it is valid for the Job (below completions). */
function validIndex(job: Job, pod: Pod): number | undefined {
  const ix = completionIndex(pod);
  return ix !== undefined && ix < (job.spec?.completions ?? 0) ? ix : undefined;
}

/** Pods that finished but are not counted yet and whose finalizer removal is not in flight. */
function uncountedPods(job: Job, pods: Pod[], already: Set<string>, pendingRemovals: ReadonlySet<string>, filter: (p: Pod) => boolean): Pod[] {
  return pods.filter((p) => {
    const uid = p.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(p) || already.has(uid) || pendingRemovals.has(uid)) return false;
    if (isIndexed(job) && validIndex(job, p) === undefined) return false;
    return filter(p);
  });
}

/** With restartPolicy OnFailure, container restarts of running pods count against the backoff limit. */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  const restarts = pods.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending').reduce((n, p) => n + restartCount(p), 0);
  const limit = job.spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/**
 * Counts the Job's pods and decides its course. Sets status.startTime when the Job starts (not
 * while suspended); otherwise does not modify `job`.
 */
export function assessJob(job: Job, pods: Pod[], now: Date, pendingRemovals: ReadonlySet<string>): Assessment {
  const status = (job.status ??= {});
  const uncounted = status.uncountedTerminatedPods ?? {};
  const uncountedSucceeded = new Set(uncounted.succeeded ?? []);
  const uncountedFailed = new Set(uncounted.failed ?? []);
  const replaceFailedOnly = onlyReplaceFailed(job);
  const active = pods.filter(isActive);
  const newSucceeded = uncountedPods(job, pods, uncountedSucceeded, pendingRemovals, (p) => p.status?.phase === 'Succeeded');
  const newFailed = uncountedPods(job, pods, uncountedFailed, pendingRemovals, (p) => isFailed(p, replaceFailedOnly));
  const out: Assessment = {
    active,
    ready: active.filter(isPodReady).length,
    terminating: pods.filter(isTerminating).length,
    newSucceeded,
    newFailed,
    succeeded: (status.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size,
    failed: (status.failed ?? 0) + newFailed.length + uncountedFailed.size,
  };
  if (!status.startTime && !isSuspended(job)) status.startTime = rfc3339(now);

  const met = findCondition(job, 'SuccessCriteriaMet');
  const failureTarget = findCondition(job, 'FailureTarget');
  if (met?.status === 'True') {
    out.target = { type: 'SuccessCriteriaMet', reason: met.reason ?? '', message: met.message ?? '' };
  } else if (failureTarget?.status === 'True') {
    out.target = terminalFor({ type: 'FailureTarget', reason: failureTarget.reason ?? '', message: failureTarget.message ?? '' });
  } else if (out.failed > (job.spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT) || pastBackoffLimitOnFailure(job, pods)) {
    out.target = BACKOFF_LIMIT_EXCEEDED;
  } else if (job.spec?.activeDeadlineSeconds !== undefined && status.startTime && !isSuspended(job)) {
    const left = Date.parse(status.startTime) + job.spec.activeDeadlineSeconds * 1000 - now.getTime();
    if (left <= 0) out.target = DEADLINE_EXCEEDED;
    else out.deadlineInMs = left;
  }

  if (isIndexed(job)) {
    const completions = job.spec?.completions ?? 0;
    out.countedIndexes = parseIndexes(status.completedIndexes, completions);
    out.succeededIndexes = new Set(out.countedIndexes);
    for (const p of pods) {
      const ix = validIndex(job, p);
      if (p.status?.phase === 'Succeeded' && ix !== undefined && hasTrackingFinalizer(p)) out.succeededIndexes.add(ix);
    }
    out.succeeded = out.succeededIndexes.size;
  }
  return out;
}
