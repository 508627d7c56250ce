/**
 * Counting finished pods exactly once, as upstream's job tracking with finalizers does: every Job
 * pod carries the batch.kubernetes.io/job-tracking finalizer. A finished pod's uid is first
 * written to status.uncountedTerminatedPods, then its finalizer is removed, then its uid moves
 * from the uncounted list into the succeeded/failed counters. A pod deleted by anyone stays until
 * it is counted, and a pod whose finalizer is gone is never counted again. Pure functions that
 * edit a Job copy's status in place.
 */
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isIndexed, onlyReplaceFailed } from './assess.js';
import { ensureCondition, findCondition, rfc3339, terminalFor, type TargetCondition } from './conditions.js';
import { formatIndexes } from './indexes.js';
import { completionIndex, hasTrackingFinalizer, isFailed } from './pods.js';

/** The most uids held in uncountedTerminatedPods at once, as upstream (keeps the status small). */
export const MAX_UNCOUNTED_PODS = 500;

export interface TrackResult {
  /** Pods whose tracking finalizer may go once the status is written. */
  removeFinalizer: Pod[];
  /** The status changed and must be written before finalizers are removed. */
  changed: boolean;
  /** More pods finished than one sync records: the Job must not be declared finished yet. */
  capped: boolean;
  /** The terminal condition (Complete or Failed) the Job gets once every pod is counted. */
  terminal?: TargetCondition;
}

export interface TrackInput {
  pods: Pod[];
  /** Where the Job is heading (from assessJob), if anywhere. */
  target?: TargetCondition;
  /** Pods whose finalizer removal is in flight: already counted. */
  pendingRemovals: ReadonlySet<string>;
  /** Indexed Jobs: every succeeded index (counted or not). */
  succeededIndexes?: Set<number>;
  now: Date;
}

function uncountedOf(status: JobStatus): { succeeded: string[]; failed: string[] } {
  const u = (status.uncountedTerminatedPods ??= {});
  return { succeeded: (u.succeeded ??= []), failed: (u.failed ??= []) };
}

/**
 * Moves uids whose pods no longer carry the finalizer (or are gone) from uncountedTerminatedPods
 * into the counters. `withFinalizer` holds the uids that still carry it. Returns whether anything moved.
 */
export function countRemoved(status: JobStatus, withFinalizer: ReadonlySet<string>): boolean {
  const u = uncountedOf(status);
  const keepS = u.succeeded.filter((uid) => withFinalizer.has(uid));
  const keepF = u.failed.filter((uid) => withFinalizer.has(uid));
  const moved = u.succeeded.length - keepS.length + (u.failed.length - keepF.length);
  status.succeeded = (status.succeeded ?? 0) + (u.succeeded.length - keepS.length);
  status.failed = (status.failed ?? 0) + (u.failed.length - keepF.length);
  status.uncountedTerminatedPods = { succeeded: keepS, failed: keepF };
  return moved > 0;
}

/** Uids of pods that still carry the tracking finalizer and whose removal is not in flight. */
export function uidsWithFinalizer(pods: Pod[], pendingRemovals: ReadonlySet<string>): Set<string> {
  return new Set(pods.filter((p) => hasTrackingFinalizer(p) && !pendingRemovals.has(p.metadata?.uid ?? '')).map((p) => p.metadata!.uid!));
}

/** Records finished pods as uncounted (or their indexes as completed) and the interim condition. */
export function trackFinishedPods(job: Job, input: TrackInput): TrackResult {
  const status = (job.status ??= {});
  const indexed = isIndexed(job);
  const completions = job.spec?.completions ?? 0;
  const replaceFailedOnly = onlyReplaceFailed(job);
  let changed = countRemoved(status, uidsWithFinalizer(input.pods, input.pendingRemovals));
  const u = uncountedOf(status);
  const inSucceeded = new Set(u.succeeded);
  const inFailed = new Set(u.failed);
  const failing = input.target !== undefined && input.target.type !== 'SuccessCriteriaMet' && input.target.type !== 'Complete';
  const removeFinalizer: Pod[] = [];
  let capped = false;
  const pods = indexed ? [...input.pods].sort((a, b) => (completionIndex(a) ?? Infinity) - (completionIndex(b) ?? Infinity)) : input.pods;
  for (const pod of pods) {
    const uid = pod.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(pod) || input.pendingRemovals.has(uid)) continue;
    const failed = isFailed(pod, replaceFailedOnly);
    const succeeded = pod.status?.phase === 'Succeeded';
    if (!job.metadata?.deletionTimestamp && !input.target && !succeeded && !failed) continue;
    removeFinalizer.push(pod);
    const ix = completionIndex(pod);
    const validIx = ix !== undefined && ix < completions;
    if (succeeded && !inFailed.has(uid)) {
      if (!indexed && !inSucceeded.has(uid)) {
        u.succeeded.push(uid);
        inSucceeded.add(uid);
        changed = true;
      }
    } else if ((failed || failing) && !inFailed.has(uid) && (!indexed || validIx)) {
      u.failed.push(uid);
      inFailed.add(uid);
      changed = true;
    }
    if (u.succeeded.length + u.failed.length >= MAX_UNCOUNTED_PODS) {
      capped = true;
      break;
    }
  }
  if (indexed) {
    const completed = formatIndexes(input.succeededIndexes ?? []);
    if (completed !== (status.completedIndexes ?? '')) changed = true;
    status.completedIndexes = completed;
    status.succeeded = input.succeededIndexes?.size ?? 0;
  }
  let terminal = input.target;
  if (terminal?.type === 'FailureTarget' || terminal?.type === 'SuccessCriteriaMet') {
    if (findCondition(job, terminal.type)?.status !== 'True') {
      ensureCondition(job, terminal.type, 'True', terminal.reason, terminal.message, input.now);
      changed = true;
    }
    terminal = terminalFor(terminal);
  }
  return { removeFinalizer, changed, capped, terminal };
}

/**
 * Sets the terminal condition (and completionTime for Complete) once no pod is left uncounted or
 * terminating. Returns whether the Job is finished now.
 */
export function enactFinished(job: Job, terminal: TargetCondition | undefined, terminating: number, now: Date): boolean {
  if (!terminal) return false;
  const u = job.status?.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0 || terminating > 0) return false;
  ensureCondition(job, terminal.type, 'True', terminal.reason, terminal.message, now);
  if (terminal.type === 'Complete') job.status!.completionTime = rfc3339(now);
  return true;
}
