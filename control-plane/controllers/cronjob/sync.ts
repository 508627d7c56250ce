/**
 * The CronJob controller's decisions, as upstream's syncCronJob and cleanupFinishedJobs make
 * them: keeping status.active in step with the Jobs, choosing whether the most recent scheduled
 * time runs now (startingDeadlineSeconds, concurrencyPolicy Allow/Forbid/Replace), and which
 * finished Jobs fall outside the history limits. Pure.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { finishedAt } from '../job/conditions.js';
import { jobName } from './job-template.js';
import type { Schedule } from './schedule.js';
import { nextScheduleTime, type Missed } from './times.js';

export interface CronEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface ActiveUpdate {
  /** Events for Jobs seen finishing. */
  events: CronEvent[];
  /** Unfinished Jobs the CronJob controls but does not list as active. */
  unexpected: Job[];
  /** Active references to Jobs not among the CronJob's Jobs (to verify against the API). */
  unknown: ObjectReference[];
  changed: boolean;
}

/** An object reference to a Job, as status.active holds them. */
export function jobRef(job: Job): ObjectReference {
  const m = job.metadata!;
  return { apiVersion: 'batch/v1', kind: 'Job', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
}

/**
 * Drops finished Jobs from status.active and advances status.lastSuccessfulTime, in place on a
 * CronJob copy; reports what else needs looking at.
 */
export function updateActive(cj: CronJob, jobs: Job[]): ActiveUpdate {
  const status = (cj.status ??= {});
  const out: ActiveUpdate = { events: [], unexpected: [], unknown: [], changed: false };
  const uids = new Set(jobs.map((j) => j.metadata?.uid));
  for (const job of jobs) {
    const finished = finishedAt(job);
    const listed = (status.active ?? []).some((r) => r.uid === job.metadata?.uid);
    if (!listed && !finished) {
      out.unexpected.push(job);
    } else if (listed && finished) {
      status.active = (status.active ?? []).filter((r) => r.uid !== job.metadata?.uid);
      out.events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata!.name}, status: ${finished.type}` });
      out.changed = true;
    }
    if (finished?.type === 'Complete' && job.status?.completionTime) {
      const done = Date.parse(job.status.completionTime);
      if (!status.lastSuccessfulTime || done > Date.parse(status.lastSuccessfulTime)) {
        status.lastSuccessfulTime = job.status.completionTime;
        out.changed = true;
      }
    }
  }
  out.unknown = (status.active ?? []).filter((r) => !uids.has(r.uid));
  return out;
}

export type RunDecision =
  /** No scheduled time is due. */
  | { kind: 'wait'; missed: Missed }
  /** The due time is past startingDeadlineSeconds. */
  | { kind: 'tooLate'; time: number; missed: Missed }
  /** The due time already has its Job. */
  | { kind: 'alreadyRan'; time: number; missed: Missed }
  /** concurrencyPolicy Forbid and a Job is still active. */
  | { kind: 'forbidden'; time: number; missed: Missed }
  /** Start the Job for `time`, deleting `replace` first (concurrencyPolicy Replace). */
  | { kind: 'run'; time: number; replace: ObjectReference[]; missed: Missed }
  | { kind: 'invalid'; message: string };

export function decideRun(cj: CronJob, now: number, schedule: Schedule): RunDecision {
  const { time, missed, error } = nextScheduleTime(cj, now, schedule);
  if (error) return { kind: 'invalid', message: error };
  if (time === undefined) return { kind: 'wait', missed };
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && time + sds * 1000 < now) return { kind: 'tooLate', time, missed };
  const active = cj.status?.active ?? [];
  const name = jobName(cj.metadata!.name!, time);
  const last = Date.parse(cj.status?.lastScheduleTime ?? '');
  if (active.some((r) => r.name === name) || last === time) return { kind: 'alreadyRan', time, missed };
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) return { kind: 'forbidden', time, missed };
  return { kind: 'run', time, replace: policy === 'Replace' ? active : [], missed };
}

/** Orders Jobs by start time (unstarted last), then name, as upstream's byJobStartTime. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa !== !sb) return sa ? -1 : 1;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first. */
export function jobsBeyondHistory(cj: CronJob, jobs: Job[]): Job[] {
  const out: Job[] = [];
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit };
  for (const type of ['Complete', 'Failed'] as const) {
    const limit = limits[type];
    if (limit === undefined || limit === null) continue;
    const finished = jobs.filter((j) => finishedAt(j)?.type === type).sort(byStartTime);
    out.push(...finished.slice(0, Math.max(0, finished.length - limit)));
  }
  return out;
}

/** RFC 1123 with numeric zone in UTC, as Go's time.RFC1123Z prints it: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}
