import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { jobForSchedule, jobName } from './job-template.js';
import { parseSchedule } from './schedule.js';
import { decideRun, jobsBeyondHistory, rfc1123z, updateActive } from './sync.js';
import { mostRecentScheduleTime, nextScheduleDelay } from './times.js';

const at = (s: string) => Date.parse(s);
const everyMinute = parseSchedule('* * * * *', 'UTC');

function cronJob(spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2024-01-01T10:00:00Z' },
    spec: { schedule: '* * * * *', concurrencyPolicy: 'Allow', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec } as CronJob['spec'],
    status,
  };
}

function job(name: string, finished?: 'Complete' | 'Failed', startTime?: string): Job {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    status: {
      ...(startTime ? { startTime } : {}),
      ...(finished ? { conditions: [{ type: finished, status: 'True', lastTransitionTime: '2024-01-01T10:05:00Z' }] } : {}),
      ...(finished === 'Complete' ? { completionTime: `2024-01-01T10:0${name.length % 10}:00Z` } : {}),
    },
  };
}

const ref = (name: string) => ({ kind: 'Job', name, namespace: 'default', uid: `uid-${name}` });

describe('mostRecentScheduleTime', () => {
  it.each([
    { name: 'not due yet', status: {}, now: '2024-01-01T10:00:30Z', recent: undefined, missed: 'none' },
    { name: 'one due', status: {}, now: '2024-01-01T10:01:30Z', recent: '2024-01-01T10:01:00Z', missed: 'none' },
    { name: 'several missed: the latest', status: {}, now: '2024-01-01T10:05:30Z', recent: '2024-01-01T10:05:00Z', missed: 'few' },
    { name: 'counts from the last schedule', status: { lastScheduleTime: '2024-01-01T10:05:00Z' }, now: '2024-01-01T10:05:30Z', recent: undefined, missed: 'none' },
    { name: 'more than 100 missed', status: {}, now: '2024-01-01T13:00:30Z', recent: '2024-01-01T13:00:00Z', missed: 'many' },
  ])('$name', ({ status, now, recent, missed }) => {
    const r = mostRecentScheduleTime(cronJob({}, status), at(now), everyMinute, true);
    expect(r.mostRecent === undefined ? undefined : new Date(r.mostRecent).toISOString().replace('.000', '')).toBe(recent);
    expect(r.missed).toBe(missed);
  });

  it('startingDeadlineSeconds bounds how far back it looks', () => {
    const r = mostRecentScheduleTime(cronJob({ startingDeadlineSeconds: 60 }), at('2024-01-01T13:00:45Z'), everyMinute, true);
    expect(r).toMatchObject({ mostRecent: at('2024-01-01T13:00:00Z'), missed: 'none' });
  });

  it('an impossible schedule is an error', () => {
    expect(mostRecentScheduleTime(cronJob(), at('2024-03-01T00:00:00Z'), parseSchedule('0 0 31 2 *', 'UTC'), true).error).toBe('time difference between two schedules is less than 1 second');
  });
});

describe('nextScheduleDelay', () => {
  it.each([
    { status: {}, now: '2024-01-01T10:00:30Z', delay: 30_100 },
    { status: { lastScheduleTime: '2024-01-01T10:01:00Z' }, now: '2024-01-01T10:01:00.500Z', delay: 59_600 },
  ])('from $now → $delay ms', ({ status, now, delay }) => {
    expect(nextScheduleDelay(cronJob({}, status), at(now), everyMinute)).toBe(delay);
  });
});

describe('decideRun', () => {
  const now = at('2024-01-01T10:02:10Z');
  it.each([
    { name: 'nothing due', spec: {}, status: { lastScheduleTime: '2024-01-01T10:02:00Z' }, now, want: 'wait' },
    { name: 'due: run', spec: {}, status: {}, now, want: 'run@10:02 replace=' },
    { name: 'due with others active (Allow)', spec: {}, status: { active: [ref('a')] }, now, want: 'run@10:02 replace=' },
    { name: 'Forbid with one active', spec: { concurrencyPolicy: 'Forbid' }, status: { active: [ref('a')] }, now, want: 'forbidden@10:02' },
    { name: 'Replace with one active', spec: { concurrencyPolicy: 'Replace' }, status: { active: [ref('a')] }, now, want: 'run@10:02 replace=a' },
    { name: 'past the starting deadline', spec: { startingDeadlineSeconds: 5 }, status: {}, now, want: 'wait' },
    { name: 'the Job of that time exists', spec: {}, status: { active: [ref(jobName('tick', at('2024-01-01T10:02:00Z')))] }, now, want: 'alreadyRan@10:02' },
  ])('$name', ({ spec, status, now, want }) => {
    const d = decideRun(cronJob(spec as any, status), now, everyMinute);
    const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
    const text = d.kind === 'run' ? `run@${hhmm(d.time)} replace=${d.replace.map((r) => r.name).join(',')}` : 'time' in d ? `${d.kind}@${hhmm(d.time)}` : d.kind;
    expect(text).toBe(want);
  });

  it('a due time past startingDeadlineSeconds is missed', () => {
    const hourly = parseSchedule('0 * * * *', 'UTC');
    const d = decideRun(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: '2024-01-01T10:00:00Z' }), at('2024-01-01T11:01:30Z'), hourly);
    expect(d.kind).toBe('wait');
    const late = decideRun(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 100 }, { lastScheduleTime: '2024-01-01T10:00:00Z' }), at('2024-01-01T11:01:30Z'), hourly);
    expect(late.kind).toBe('run');
  });
});

describe('updateActive', () => {
  it('drops finished Jobs, records the last success, and reports unexpected and unknown Jobs', () => {
    const cj = cronJob({}, { active: [ref('done'), ref('running'), ref('gone')] });
    const u = updateActive(cj, [job('done', 'Complete'), job('running'), job('stray')]);
    expect(cj.status!.active!.map((r) => r.name)).toEqual(['running', 'gone']);
    expect(cj.status!.lastSuccessfulTime).toBe('2024-01-01T10:04:00Z');
    expect(u.events).toEqual([{ type: 'Normal', reason: 'SawCompletedJob', message: 'Saw completed job: done, status: Complete' }]);
    expect(u.unexpected.map((j) => j.metadata!.name)).toEqual(['stray']);
    expect(u.unknown.map((r) => r.name)).toEqual(['gone']);
    expect(u.changed).toBe(true);
  });
});

describe('jobsBeyondHistory', () => {
  it('deletes the oldest finished Jobs beyond each limit', () => {
    const jobs = [
      job('s3', 'Complete', '2024-01-01T10:03:00Z'),
      job('s1', 'Complete', '2024-01-01T10:01:00Z'),
      job('s2', 'Complete', '2024-01-01T10:02:00Z'),
      job('f1', 'Failed', '2024-01-01T10:01:00Z'),
      job('f2', 'Failed', '2024-01-01T10:02:00Z'),
      job('r1', undefined, '2024-01-01T10:00:00Z'),
    ];
    expect(jobsBeyondHistory(cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }), jobs).map((j) => j.metadata!.name)).toEqual(['s1', 's2', 'f1']);
    expect(jobsBeyondHistory(cronJob({ successfulJobsHistoryLimit: 0 }), jobs).map((j) => j.metadata!.name)).toEqual(['s1', 's2', 's3']);
  });
});

describe('jobForSchedule', () => {
  it('names the Job after the scheduled minute and annotates the time in the CronJob zone', () => {
    const cj = cronJob({ timeZone: 'Asia/Tokyo', jobTemplate: { metadata: { labels: { app: 'x' }, annotations: { a: 'b' } }, spec: { template: { spec: { containers: [] } } } } });
    const j = jobForSchedule(cj, at('2024-01-01T10:02:00Z'));
    expect(j.metadata).toEqual({
      name: `tick-${at('2024-01-01T10:02:00Z') / 60_000}`,
      namespace: 'default',
      labels: { app: 'x' },
      annotations: { a: 'b', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2024-01-01T19:02:00+09:00' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(j.metadata!.name).toBe('tick-28401722');
  });

  it('prints missed times as Go RFC1123Z', () => {
    expect(rfc1123z(at('2024-01-01T10:02:00Z'))).toBe('Mon, 01 Jan 2024 10:02:00 +0000');
  });
});
