import { describe, expect, it } from 'vitest';
import { controllerRevisionTable, daemonSetTable, deploymentTable, replicaSetTable, statefulSetTable } from './workloads.js';
import type { TableDef } from '../registry.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:00:00Z';
const template = { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } };
const selector = { matchLabels: { app: 'web' } };

const header = (t: TableDef) => t.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);

describe('deploymentTable', () => {
  it('has upstream columns', () => {
    expect(header(deploymentTable)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  });

  it.each([
    [
      'rolled out',
      { metadata: { name: 'web', creationTimestamp: created }, spec: { replicas: 3, selector, template }, status: { readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 } },
      ['web', '3/3', 3, 3, '60m', 'web,log', 'nginx:1.25,busybox', 'app=web'],
    ],
    [
      'fresh, without status',
      { metadata: { name: 'web', creationTimestamp: created }, spec: { replicas: 2, selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template } },
      ['web', '0/2', 0, 0, '60m', 'web,log', 'nginx:1.25,busybox', 'tier in (a,b)'],
    ],
    ['invalid selector', { metadata: { name: 'x' }, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bad' }] } } }, ['x', '0/0', 0, 0, '<unknown>', '', '', '<invalid>']],
  ])('%s', (_n, obj, cells) => {
    expect(deploymentTable.row(obj, now)).toEqual(cells);
  });
});

describe('replicaSetTable', () => {
  it('prints desired, current and ready counts', () => {
    expect(header(replicaSetTable)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const rs = { metadata: { name: 'web-5d4', creationTimestamp: created }, spec: { replicas: 3, selector, template }, status: { replicas: 3, readyReplicas: 1 } };
    expect(replicaSetTable.row(rs, now)).toEqual(['web-5d4', 3, 3, 1, '60m', 'web,log', 'nginx:1.25,busybox', 'app=web']);
    expect(replicaSetTable.row({ metadata: { name: 'e' }, spec: { selector: {} } }, now).at(-1)).toBe('<none>');
  });
});

describe('statefulSetTable', () => {
  it('prints ready/desired', () => {
    expect(header(statefulSetTable)).toEqual(['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    expect(statefulSetTable.row({ metadata: { name: 'db', creationTimestamp: created }, spec: { replicas: 3, template }, status: { readyReplicas: 2 } }, now)).toEqual([
      'db',
      '2/3',
      '60m',
      'web,log',
      'nginx:1.25,busybox',
    ]);
  });
});

describe('daemonSetTable', () => {
  it('prints scheduling counts and the node selector', () => {
    expect(header(daemonSetTable)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const ds = {
      metadata: { name: 'agent', creationTimestamp: created },
      spec: { selector, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    expect(daemonSetTable.row(ds, now)).toEqual(['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '60m', 'a', 'agent:1', 'app=web']);
    expect(daemonSetTable.row({ metadata: { name: 'x' }, spec: { template: { spec: {} } } }, now)[6]).toBe('<none>');
  });
});

describe('controllerRevisionTable', () => {
  it.each([
    [[{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', controller: true }], 'daemonset.apps/agent'],
    [[{ apiVersion: 'v1', kind: 'Pod', name: 'p', controller: true }], 'pod/p'],
    [[{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' }], '<none>'],
    [undefined, '<none>'],
  ])('owner %j prints as %s', (ownerReferences, controller) => {
    expect(controllerRevisionTable.row({ metadata: { name: 'agent-1', ownerReferences, creationTimestamp: created }, revision: 2 }, now)).toEqual(['agent-1', controller, 2, '60m']);
  });
});
