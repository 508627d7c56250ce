import { describe, expect, it } from 'vitest';
import { horizontalPodAutoscalerTable } from './autoscaling.js';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = { name: 'web', creationTimestamp: '2024-05-01T11:55:00Z' };
const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (target: object) => ({ type: 'Resource', resource: { name: 'cpu', target } });

describe('horizontalPodAutoscalerTable', () => {
  it('has upstream columns', () => {
    expect(horizontalPodAutoscalerTable.columns.map((c) => c.name)).toEqual(['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
  });

  it.each([
    ['utilization, no status yet', [cpu({ type: 'Utilization', averageUtilization: 70 })], undefined, 'cpu: <unknown>/70%'],
    [
      'utilization with status',
      [cpu({ type: 'Utilization', averageUtilization: 70 })],
      [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '120m' } } }],
      'cpu: 12%/70%',
    ],
    [
      'average value',
      [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } }],
      [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '100Mi' } } }],
      'memory: 100Mi/512Mi',
    ],
    ['utilization target missing', [cpu({ type: 'Utilization' })], undefined, 'cpu: <unknown>/<auto>'],
    [
      'pods metric',
      [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }],
      [{ type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '7' } } }],
      '7/10',
    ],
    [
      'object metric by value and external metric by average',
      [
        { type: 'Object', object: { metric: { name: 'rps' }, target: { type: 'Value', value: '100' } } },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } } },
      ],
      undefined,
      '<unknown>/100, <unknown>/30 (avg)',
    ],
    [
      'container resource and more than two metrics',
      [
        { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } },
        cpu({ type: 'Utilization', averageUtilization: 70 }),
        { type: 'Bogus' },
      ],
      undefined,
      'cpu: <unknown>/60%, cpu: <unknown>/70% + 1 more...',
    ],
    ['no metrics', [], undefined, '<none>'],
  ])('%s', (_n, metrics, currentMetrics, targets) => {
    const hpa = { metadata, spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, metrics }, status: { currentReplicas: 2, currentMetrics } };
    expect(horizontalPodAutoscalerTable.row(hpa, now)).toEqual(['web', 'Deployment/web', targets, '1', 5, 2, '5m']);
  });

  it('prints <unset> without minReplicas and 0 replicas without status', () => {
    expect(horizontalPodAutoscalerTable.row({ metadata, spec: { scaleTargetRef, maxReplicas: 3 } }, now)).toEqual(['web', 'Deployment/web', '<none>', '<unset>', 3, 0, '5m']);
  });
});
