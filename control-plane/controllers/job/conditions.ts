/**
 * Job conditions as upstream (1.31+) writes them: the interim SuccessCriteriaMet and FailureTarget
 * conditions are recorded first; the terminal Complete or Failed (same reason and message) follows
 * once every pod is counted and none is still terminating. Pure functions.
 */
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';

export type JobConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';

/** A condition the Job is heading for: type, reason and message. */
export interface TargetCondition {
  type: JobConditionType;
  reason: string;
  message: string;
}

export const COMPLETIONS_REACHED: TargetCondition = { type: 'SuccessCriteriaMet', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
export const BACKOFF_LIMIT_EXCEEDED: TargetCondition = { type: 'FailureTarget', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
export const DEADLINE_EXCEEDED: TargetCondition = { type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

/** RFC 3339 with second precision, as metav1.Time serializes. */
export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function findCondition(job: Job, type: JobConditionType): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => c.type === type);
}

function isTrue(job: Job, type: JobConditionType): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed is True: the controller is done with the Job. */
export function isJobFinished(job: Job): boolean {
  return isTrue(job, 'Complete') || isTrue(job, 'Failed');
}

/** The finish condition type (Complete or Failed) and when it was set, if the Job finished. */
export function finishedAt(job: Job): { type: 'Complete' | 'Failed'; time: number } | undefined {
  for (const type of ['Complete', 'Failed'] as const) {
    const c = findCondition(job, type);
    if (c?.status === 'True') return { type, time: Date.parse(c.lastTransitionTime ?? '') || 0 };
  }
  return undefined;
}

/** The terminal condition an interim one leads to. */
export function terminalFor(target: TargetCondition): TargetCondition {
  if (target.type === 'FailureTarget') return { ...target, type: 'Failed' };
  if (target.type === 'SuccessCriteriaMet') return { ...target, type: 'Complete' };
  return target;
}

/**
 * Sets condition `type` to `status` with reason and message (new transition time when any of
 * them changes); a condition that does not exist yet is not added as False. Returns whether the
 * list changed. Edits `job.status.conditions` in place.
 */
export function ensureCondition(job: Job, type: JobConditionType, status: 'True' | 'False', reason: string, message: string, now: Date): boolean {
  const st = (job.status ??= {});
  const list = st.conditions ?? [];
  const time = rfc3339(now);
  const fresh: JobCondition = { type, status, reason, message, lastProbeTime: time, lastTransitionTime: time };
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return false;
    list[i] = fresh;
    return true;
  }
  if (status === 'False') return false;
  st.conditions = [...list, fresh];
  return true;
}
