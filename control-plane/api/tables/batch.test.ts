import { describe, expect, it } from 'vitest';
import { cronJobTable, jobTable } from './batch.js';

const now = new Date('2024-05-01T12:00:00Z');
const at = (minutesAgo: number): string => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
const template = { spec: { containers: [{ name: 'pi', image: 'perl' }] } };
const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } };
const cond = (type: string, status = 'True') => ({ type, status });

describe('jobTable', () => {
  it('has the 1.28+ columns', () => {
    expect(jobTable.columns.map((c) => c.name)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
    expect(jobTable.columns.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['Containers', 'Images', 'Selector']);
  });

  it.each([
    ['running, no start yet', {}, {}, ['Running', '0/1', '']],
    ['running', { completions: 3 }, { startTime: at(5), succeeded: 1 }, ['Running', '1/3', '5m']],
    ['complete', { completions: 1 }, { startTime: at(10), completionTime: at(8), succeeded: 1, conditions: [cond('Complete')] }, ['Complete', '1/1', '2m']],
    ['failed', {}, { startTime: at(10), conditions: [cond('FailureTarget'), cond('Failed')] }, ['Failed', '0/1', '10m']],
    ['suspended', { suspend: true }, { conditions: [cond('Suspended')] }, ['Suspended', '0/1', '']],
    ['failure target', {}, { conditions: [cond('FailureTarget')] }, ['FailureTarget', '0/1', '']],
    ['false conditions are ignored', {}, { conditions: [cond('Complete', 'False')] }, ['Running', '0/1', '']],
    ['work queue', { parallelism: 4 }, { succeeded: 2 }, ['Running', '2/1 of 4', '']],
  ])('%s', (_n, spec, status, cells) => {
    const job = { metadata: { name: 'pi', creationTimestamp: at(30) }, spec: { ...spec, template, selector }, status };
    expect(jobTable.row(job, now)).toEqual(['pi', ...cells, '30m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u1']);
  });

  it('prints Terminating while being deleted unless finished', () => {
    const job = { metadata: { name: 'pi', deletionTimestamp: at(0) }, spec: { template }, status: {} };
    expect(jobTable.row(job, now)[1]).toBe('Terminating');
    expect(jobTable.row({ ...job, status: { conditions: [cond('Complete')] } }, now)[1]).toBe('Complete');
  });
});

describe('cronJobTable', () => {
  it('prints schedule, time zone, suspend and last schedule', () => {
    expect(cronJobTable.columns.map((c) => c.name)).toEqual(['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector']);
    const cj = {
      metadata: { name: 'hello', creationTimestamp: at(120) },
      spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'hello-1' }], lastScheduleTime: at(1) },
    };
    expect(cronJobTable.row(cj, now)).toEqual(['hello', '*/1 * * * *', '<none>', 'False', 1, '60s', '120m', 'pi', 'perl', '<none>']);
    const fresh = { metadata: { name: 'h' }, spec: { schedule: '@daily', timeZone: 'Etc/UTC', jobTemplate: { spec: { template } } } };
    expect(cronJobTable.row(fresh, now).slice(1, 6)).toEqual(['@daily', 'Etc/UTC', '<unset>', 0, '<none>']);
  });
});
