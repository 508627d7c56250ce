import { describe, expect, it } from 'vitest';
import { defaultCronJob, defaultJob } from '../defaults/batch.js';
import { validateCronJob, validateJob } from './batch.js';
import { cronScheduleError } from './cron.js';

const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);
const podTemplate = () => ({ metadata: { labels: { job: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5' }] } });

function job(before?: (j: any) => void): any {
  const j: any = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: podTemplate() } };
  before?.(j);
  defaultJob(j);
  return j;
}

function cronJob(before?: (c: any) => void): any {
  const c: any = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'default' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: podTemplate() } } } };
  before?.(c);
  defaultCronJob(c);
  return c;
}

describe('Job', () => {
  it('accepts a defaulted job, with or without a selector', () => {
    expect(validateJob(job())).toEqual([]);
    expect(validateJob(job((j) => (j.spec.selector = { matchLabels: { job: 'pi' } })))).toEqual([]);
  });
  it.each<[string, (j: any) => void, [string, string][]]>([
    ['restartPolicy Always', (j) => (j.spec.template.spec.restartPolicy = 'Always'), [['FieldValueRequired', 'spec.template.spec.restartPolicy']]],
    ['default restartPolicy', (j) => delete j.spec.template.spec.restartPolicy, [['FieldValueRequired', 'spec.template.spec.restartPolicy']]],
    ['negative completions', (j) => (j.spec.completions = -1), [['FieldValueInvalid', 'spec.completions']]],
    ['negative parallelism', (j) => (j.spec.parallelism = -2), [['FieldValueInvalid', 'spec.parallelism']]],
    ['negative backoffLimit', (j) => (j.spec.backoffLimit = -1), [['FieldValueInvalid', 'spec.backoffLimit']]],
    ['unknown completion mode', (j) => (j.spec.completionMode = 'Sometimes'), [['FieldValueNotSupported', 'spec.completionMode']]],
    ['Indexed without completions', (j) => Object.assign(j.spec, { completionMode: 'Indexed', parallelism: 2 }), [['FieldValueRequired', 'spec.completions']]],
    ['selector not matching', (j) => (j.spec.selector = { matchLabels: { job: 'other' } }), [['FieldValueInvalid', 'spec.template.metadata.labels']]],
    ['manual selector missing', (j) => (j.spec.manualSelector = true), [['FieldValueRequired', 'spec.selector']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateJob(job(before)))).toEqual(expected);
  });
  it('words the restart policy error as upstream', () => {
    expect(validateJob(job((j) => (j.spec.template.spec.restartPolicy = 'Always')))[0]!.message).toBe('Required value: valid values: "OnFailure", "Never"');
  });
  it('keeps completions and the template immutable', () => {
    const old = job();
    expect(kinds(validateJob(job((j) => (j.spec.completions = 3)), old))).toEqual([['FieldValueInvalid', 'spec.completions']]);
    expect(kinds(validateJob(job((j) => (j.spec.template.spec.containers[0].image = 'perl:6')), old))).toEqual([['FieldValueInvalid', 'spec.template']]);
    expect(validateJob(job((j) => (j.spec.suspend = true)), old)).toEqual([]);
  });
});

describe('CronJob', () => {
  it('accepts a defaulted cron job', () => {
    expect(validateCronJob(cronJob())).toEqual([]);
    expect(validateCronJob(cronJob((c) => (c.spec.schedule = '@hourly')))).toEqual([]);
  });
  it.each<[string, (c: any) => void, [string, string][]]>([
    ['missing schedule', (c) => delete c.spec.schedule, [['FieldValueRequired', 'spec.schedule']]],
    ['bad schedule', (c) => (c.spec.schedule = 'every day'), [['FieldValueInvalid', 'spec.schedule']]],
    ['TZ in schedule', (c) => (c.spec.schedule = 'TZ=UTC 0 3 * * *'), [['FieldValueInvalid', 'spec.schedule']]],
    ['unknown time zone', (c) => (c.spec.timeZone = 'Mars/Olympus'), [['FieldValueInvalid', 'spec.timeZone']]],
    ['bad concurrency policy', (c) => (c.spec.concurrencyPolicy = 'Sometimes'), [['FieldValueNotSupported', 'spec.concurrencyPolicy']]],
    ['job template restartPolicy Always', (c) => (c.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always'), [['FieldValueRequired', 'spec.jobTemplate.spec.template.spec.restartPolicy']]],
    ['job template selector', (c) => (c.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } }), [['FieldValueInvalid', 'spec.jobTemplate.spec.selector']]],
    ['negative history limit', (c) => (c.spec.successfulJobsHistoryLimit = -1), [['FieldValueInvalid', 'spec.successfulJobsHistoryLimit']]],
    ['name over 52 characters', (c) => (c.metadata.name = 'a'.repeat(53)), [['FieldValueInvalid', 'metadata.name']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateCronJob(cronJob(before)))).toEqual(expected);
  });
  it('accepts a valid time zone', () => {
    expect(validateCronJob(cronJob((c) => (c.spec.timeZone = 'Europe/Berlin')))).toEqual([]);
  });
});

describe('cronScheduleError', () => {
  it.each(['* * * * *', '*/5 * * * *', '0 0 1 1 *', '0 9-17 * * mon-fri', '15,45 */2 1-15/3 jan,jul sun', '? * * * *', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@every 1h30m', 'CRON_TZ=UTC 0 3 * * *'])(
    'accepts %j',
    (schedule) => {
      expect(cronScheduleError(schedule)).toBeUndefined();
    },
  );
  it.each<[string, string]>([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['@sometimes', 'unrecognized descriptor: @sometimes'],
    ['@every often', 'failed to parse duration @every often: time: invalid duration "often"'],
  ])('refuses %j', (schedule, message) => {
    expect(cronScheduleError(schedule)).toBe(message);
  });
});
