import { describe, expect, it } from 'vitest';
import { podStatusCells, podTable } from './pods.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

const running = { ready: true, restartCount: 0, state: { running: { startedAt: ago(MIN) } } };
const one = { containers: [{ name: 'app', image: 'nginx' }] };

describe('podStatusCells', () => {
  it.each([
    ['pending, unscheduled', { spec: one, status: { phase: 'Pending' } }, '0/1', 'Pending', '0'],
    ['running and ready', { spec: one, status: { phase: 'Running', containerStatuses: [{ name: 'app', ...running }] } }, '1/1', 'Running', '0'],
    [
      'running but not ready',
      { spec: one, status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: false, state: { running: {} } }] } },
      '0/1',
      'Running',
      '0',
    ],
    [
      'crash looping',
      {
        spec: one,
        status: {
          phase: 'Running',
          containerStatuses: [{ name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * MIN) } } }],
        },
      },
      '0/1',
      'CrashLoopBackOff',
      '5 (5m ago)',
    ],
    [
      'restarted, time of the latest termination',
      {
        spec: { containers: [{ name: 'a' }, { name: 'b' }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'a', ...running, restartCount: 1, lastState: { terminated: { finishedAt: ago(90 * MIN) } } },
            { name: 'b', ...running, restartCount: 2, lastState: { terminated: { finishedAt: ago(3 * MIN) } } },
          ],
        },
      },
      '2/2',
      'Running',
      '3 (3m ago)',
    ],
    ['restarts without a termination time', { spec: one, status: { phase: 'Running', containerStatuses: [{ name: 'app', ...running, restartCount: 2 }] } }, '1/1', 'Running', '2'],
    [
      'completed',
      { spec: one, status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } },
      '0/1',
      'Completed',
      '0',
    ],
    [
      'failed with an exit code and no reason',
      { spec: one, status: { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }] } },
      '0/1',
      'ExitCode:2',
      '0',
    ],
    ['killed by a signal', { spec: one, status: { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }] } }, '0/1', 'Signal:9', '0'],
    ['image pull backoff', { spec: one, status: { phase: 'Pending', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ImagePullBackOff' } } }] } }, '0/1', 'ImagePullBackOff', '0'],
    [
      'one container completed, another still running and the pod ready',
      {
        spec: { containers: [{ name: 'a' }, { name: 'b' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'a', ...running },
            { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
      },
      '1/2',
      'Running',
      '0',
    ],
    [
      'one container completed, another still running, pod not ready',
      {
        spec: { containers: [{ name: 'a' }, { name: 'b' }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'a', ...running },
            { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
      },
      '1/2',
      'NotReady',
      '0',
    ],
    [
      'first init container running',
      {
        spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], ...one },
        status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { running: {} } }, { name: 'i2', state: { waiting: { reason: 'PodInitializing' } } }] },
      },
      '0/1',
      'Init:0/2',
      '0',
    ],
    [
      'second init container starting',
      {
        spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], ...one },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'i2', state: { waiting: { reason: 'PodInitializing' } } },
          ],
        },
      },
      '0/1',
      'Init:1/2',
      '0',
    ],
    [
      'init container crash looping counts its restarts',
      {
        spec: { initContainers: [{ name: 'i1' }], ...one },
        status: {
          phase: 'Pending',
          initContainerStatuses: [{ name: 'i1', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: ago(2 * MIN) } } }],
          containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
        },
      },
      '0/1',
      'Init:CrashLoopBackOff',
      '3 (2m ago)',
    ],
    [
      'init container failed with a reason',
      { spec: { initContainers: [{ name: 'i1' }], ...one }, status: { phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } },
      '0/1',
      'Init:Error',
      '0',
    ],
    [
      'init container failed without a reason',
      { spec: { initContainers: [{ name: 'i1' }], ...one }, status: { phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 3 } } }] } },
      '0/1',
      'Init:ExitCode:3',
      '0',
    ],
    [
      'init container killed by a signal',
      { spec: { initContainers: [{ name: 'i1' }], ...one }, status: { phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 137, signal: 9 } } }] } },
      '0/1',
      'Init:Signal:9',
      '0',
    ],
    [
      'sidecar started and ready counts as a container',
      {
        spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }], ...one },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [{ name: 'side', started: true, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { finishedAt: ago(10 * MIN) } } }],
          containerStatuses: [{ name: 'app', ...running }],
        },
      },
      '2/2',
      'Running',
      '1 (10m ago)',
    ],
    [
      'scheduling gated',
      { spec: one, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } },
      '0/1',
      'SchedulingGated',
      '0',
    ],
    ['status reason wins over the phase', { spec: one, status: { phase: 'Failed', reason: 'Evicted' } }, '0/1', 'Evicted', '0'],
    [
      'being deleted',
      { metadata: { deletionTimestamp: ago(MIN) }, spec: one, status: { phase: 'Running', containerStatuses: [{ name: 'app', ...running }] } },
      '1/1',
      'Terminating',
      '0',
    ],
    [
      'deleted after completing',
      { metadata: { deletionTimestamp: ago(MIN) }, spec: one, status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } },
      '0/1',
      'Completed',
      '0',
    ],
    ['on a lost node', { metadata: { deletionTimestamp: ago(MIN) }, spec: one, status: { phase: 'Running', reason: 'NodeLost' } }, '0/1', 'Unknown', '0'],
  ])('%s', (_name, pod, ready, status, restarts) => {
    expect(podStatusCells(pod, now)).toEqual({ ready, status, restarts });
  });
});

describe('podTable', () => {
  it('has upstream columns', () => {
    expect(podTable.columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
  });

  it('prints a full row', () => {
    const pod = {
      metadata: { name: 'web-1', creationTimestamp: ago(3 * MIN) },
      spec: { ...one, nodeName: 'n1', readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] },
      status: {
        phase: 'Running',
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        conditions: [
          { type: 'a', status: 'True' },
          { type: 'b', status: 'False' },
        ],
        containerStatuses: [{ name: 'app', ...running }],
      },
    };
    expect(podTable.row(pod, now)).toEqual(['web-1', '1/1', 'Running', '0', '3m', '10.244.0.5', 'n1', '<none>', '1/2']);
  });

  it('prints <none> for what a pending pod lacks', () => {
    expect(podTable.row({ metadata: { name: 'p' }, spec: one, status: { phase: 'Pending', nominatedNodeName: 'n2' } }, now)).toEqual([
      'p',
      '0/1',
      'Pending',
      '0',
      '<unknown>',
      '<none>',
      '<none>',
      'n2',
      '<none>',
    ]);
  });
});
