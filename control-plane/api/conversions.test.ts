import { describe, expect, it } from 'vitest';
import { conversions } from './conversions.js';
import { RESOURCES } from './registry.js';
import { StatusError } from './status.js';

const hpa = conversions['autoscaling/v1/horizontalpodautoscalers']!;
const events = conversions['events.k8s.io/v1/events']!;

const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (averageUtilization: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

describe('conversions', () => {
  it('covers exactly the non-storage served versions', () => {
    const served = RESOURCES.filter((r) => !r.storageVersion).map((r) => `${r.group}/${r.version}/${r.plural}`);
    expect(Object.keys(conversions).sort()).toEqual(served.sort());
  });
});

describe('HorizontalPodAutoscaler autoscaling/v1 ⇄ v2', () => {
  it('turns a v1 CPU target into a v2 Resource metric and back', () => {
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    };
    const v2 = hpa.toStorage(v1);
    expect(v2).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, metrics: [cpu(70)] },
      status: {},
    });
    expect(hpa.fromStorage(v2)).toEqual({ ...v1, status: {} });
  });

  it('defaults a v1 object without a target to 80% CPU', () => {
    const v2 = hpa.toStorage({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'w' }, spec: { scaleTargetRef, maxReplicas: 3 } });
    expect(v2.spec.metrics).toEqual([cpu(80)]);
  });

  it('shows v2 status as the v1 CPU utilization and keeps every v2 detail in annotations', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } };
    const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
    const object = {
      type: 'Object',
      object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'rps' }, target: { type: 'Value', value: '100' } },
    };
    const external = { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'jobs' } } }, target: { type: 'AverageValue', averageValue: '30' } } };
    const container = { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } };
    const behavior = { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
    const conditions = [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-05-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'ok' }];
    const currentMetrics = [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '210m' } } },
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '100Mi' } } },
    ];
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default', annotations: { team: 'a' } },
      spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 10, metrics: [cpu(70), memory, pods, object, external, container], behavior },
      status: { observedGeneration: 3, currentReplicas: 2, desiredReplicas: 3, currentMetrics, conditions },
    };
    const v1 = hpa.fromStorage(v2);
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70 });
    expect(v1.status).toEqual({ observedGeneration: 3, currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 42 });
    expect(v1.metadata.annotations.team).toBe('a');
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '512Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      { type: 'Object', object: { target: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, metricName: 'rps', targetValue: '100' } },
      { type: 'External', external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'jobs' } }, targetAverageValue: '30' } },
      { type: 'ContainerResource', containerResource: { name: 'cpu', targetAverageUtilization: 60, container: 'app' } },
    ]);
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/current-metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 42, currentAverageValue: '210m' } },
      { type: 'Resource', resource: { name: 'memory', currentAverageValue: '100Mi' } },
    ]);
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/conditions'])).toEqual(conditions);
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/behavior'])).toEqual(behavior);

    // and back: the v2 object is restored, CPU metric moved last as upstream does
    const back = hpa.toStorage(v1);
    expect(back.metadata).toEqual(v2.metadata);
    expect(back.spec).toEqual({ ...v2.spec, metrics: [memory, pods, object, external, container, cpu(70)] });
    expect(back.status).toEqual(v2.status);
  });

  it('does not modify its input', () => {
    const v2 = { metadata: { name: 'w' }, spec: { scaleTargetRef, maxReplicas: 2, metrics: [cpu(50)] }, status: { conditions: [{ type: 'ScalingActive', status: 'True' }] } };
    const copy = structuredClone(v2);
    const v1 = hpa.fromStorage(v2);
    v1.metadata.name = 'changed';
    expect(v2).toEqual(copy);
    expect(v2.metadata.name).toBe('w');
  });

  it('refuses malformed annotations with a 400', () => {
    const v1 = { metadata: { name: 'w', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '{not json' } }, spec: { scaleTargetRef, maxReplicas: 2 } };
    expect(() => hpa.toStorage(v1)).toThrow(StatusError);
    const notList = { ...v1, metadata: { name: 'w', annotations: { 'autoscaling.alpha.kubernetes.io/conditions': '{}' } } };
    expect(() => hpa.toStorage(notList)).toThrow(/not a list/);
    const notObjects = { ...v1, metadata: { name: 'w', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[1]' } } };
    expect(() => hpa.toStorage(notObjects)).toThrow(/not a list of objects/);
  });

  it('reads null list items as empty objects, as Go decodes them', () => {
    const v1 = { metadata: { name: 'w', annotations: { 'autoscaling.alpha.kubernetes.io/current-metrics': '[null]' } }, spec: { scaleTargetRef, maxReplicas: 2 } };
    expect(hpa.toStorage(v1).status.currentMetrics).toEqual([{ type: undefined }]);
  });

  it('shows v1 clients the v2 fields, never round-trip annotations a v2 client wrote', () => {
    const v2 = {
      metadata: { name: 'w', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[null]', 'autoscaling.alpha.kubernetes.io/behavior': 'x', keep: 'me' } },
      spec: { scaleTargetRef, maxReplicas: 2, metrics: [cpu(50)] },
    };
    const v1 = hpa.fromStorage(v2);
    expect(v1.metadata.annotations).toEqual({ keep: 'me' });
    expect(v1.spec.targetCPUUtilizationPercentage).toBe(50);
    expect(hpa.toStorage(v1).spec.metrics).toEqual([cpu(50)]);
  });
});

describe('Event events.k8s.io/v1 ⇄ core/v1', () => {
  const core = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web to n1',
    source: { component: 'default-scheduler' },
    firstTimestamp: '2024-05-01T00:00:00Z',
    lastTimestamp: '2024-05-01T00:01:00Z',
    count: 2,
    type: 'Normal',
    eventTime: '2024-05-01T00:00:00.123456Z',
    series: { count: 2, lastObservedTime: '2024-05-01T00:01:00.000000Z' },
    action: 'Binding',
    related: { kind: 'Node', name: 'n1' },
    reportingComponent: 'default-scheduler',
    reportingInstance: 'tug-1',
  };
  const v1 = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: 'default' },
    eventTime: '2024-05-01T00:00:00.123456Z',
    series: { count: 2, lastObservedTime: '2024-05-01T00:01:00.000000Z' },
    reportingController: 'default-scheduler',
    reportingInstance: 'tug-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1' },
    related: { kind: 'Node', name: 'n1' },
    note: 'Successfully assigned default/web to n1',
    type: 'Normal',
    deprecatedSource: { component: 'default-scheduler' },
    deprecatedFirstTimestamp: '2024-05-01T00:00:00Z',
    deprecatedLastTimestamp: '2024-05-01T00:01:00Z',
    deprecatedCount: 2,
  };

  it('maps every field both ways', () => {
    expect(events.fromStorage(core)).toEqual(v1);
    expect(events.toStorage(v1)).toEqual(core);
  });

  it('fills what each version requires', () => {
    expect(events.fromStorage({ metadata: { name: 'e' }, reason: 'X' })).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e' },
      reason: 'X',
      regarding: {},
      eventTime: null,
    });
    expect(events.toStorage({ metadata: { name: 'e' }, eventTime: null, note: 'n' })).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: {},
      message: 'n',
    });
  });

  it('returns new objects', () => {
    const out = events.fromStorage(core);
    out.regarding.name = 'changed';
    expect(core.involvedObject.name).toBe('web');
  });
});
