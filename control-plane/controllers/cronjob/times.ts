/**
 * Which scheduled time a CronJob should run now, and when to look again, as upstream's
 * mostRecentScheduleTime / nextScheduleTime / nextScheduleTimeDuration compute them. Only the most
 * recent missed time runs; more than 100 missed times is reported. Pure.
 */
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import type { Schedule } from './schedule.js';

/** Requeues land this long after the scheduled time, against clock skew (upstream: 100 ms). */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export type Missed = 'none' | 'few' | 'many';

export interface RecentTimes {
  /** The last scheduled time, or the creation time. */
  earliest: number;
  /** The most recent scheduled time not after `now`, if any since `earliest`. */
  mostRecent?: number;
  missed: Missed;
  /** A schedule that is grammatical but never (or too densely) fires. */
  error?: string;
}

export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean): RecentTimes {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '') || now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && sds !== undefined && sds !== null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 !== undefined && now < t1) return { earliest, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.trunc((now - t1!) / 1000);
  const count = Math.trunc(elapsed / between) + 1;
  let mostRecent: number | undefined;
  for (let t = schedule.next(t1! + (count - 2) * between * 1000); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: Missed = count > 100 ? 'many' : count > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** The scheduled time to run now (not yet run, not before the starting deadline), if any. */
export function nextScheduleTime(cj: CronJob, now: number, schedule: Schedule): { time?: number; missed: Missed; error?: string } {
  const r = mostRecentScheduleTime(cj, now, schedule, true);
  if (r.mostRecent === undefined || r.mostRecent > now) return { missed: r.missed, error: r.error };
  return { time: r.mostRecent, missed: r.missed, error: r.error };
}

/** Milliseconds until the controller should look at the CronJob again. */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: Schedule): number {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = schedule.next(from);
  return next === undefined ? Infinity : next + NEXT_SCHEDULE_DELTA_MS - now;
}
