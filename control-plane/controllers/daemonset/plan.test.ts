import { describe, expect, it } from 'vitest';
import { computeStatus, planManage, planRollingUpdate, scaledValue, type DaemonSetActions, type DaemonSetState } from './plan.js';
import { newDaemonPod } from './pod-template.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');
const node = (name: string, taints: any[] = [], labels: Record<string, string> = {}) => ({ metadata: { name, labels }, spec: { taints } });
const nodes = ['n1', 'n2', 'n3'].map((n) => node(n));

function makeDs(strategy: any = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, extra: Record<string, unknown> = {}): any {
  return {
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 2 },
    spec: { selector: { matchLabels: { app: 'agent' } }, updateStrategy: strategy, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...extra },
  };
}

type PodState = 'ready' | 'running' | 'failed' | 'succeeded' | 'deleting' | 'unbound' | 'just-ready';
let seq = 0;

/** A pod on `nodeName` at revision hash `hash` ('new' is the current one), created in order of the calls. */
function pod(ds: any, nodeName: string, hash: 'new' | 'old' = 'new', state: PodState = 'ready'): any {
  const p = newDaemonPod(ds, hash, nodeName);
  seq++;
  p.metadata.name = `agent-${nodeName}-${hash}-${seq}`;
  p.metadata.uid = p.metadata.name;
  p.metadata.creationTimestamp = new Date(Date.parse('2024-01-01T00:00:00Z') + seq * 1000).toISOString();
  if (state !== 'unbound') p.spec.nodeName = nodeName;
  if (state === 'deleting') p.metadata.deletionTimestamp = '2024-01-01T00:09:00Z';
  const phase = state === 'failed' ? 'Failed' : state === 'succeeded' ? 'Succeeded' : 'Running';
  const ready = state === 'ready' || state === 'just-ready';
  p.status = { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: state === 'just-ready' ? '2024-01-01T00:09:59Z' : '2024-01-01T00:00:00Z' }] };
  return p;
}

const state = (ds: any, pods: any[], ns = nodes): DaemonSetState => ({ ds, hash: 'new', nodes: ns, pods, now: NOW });
const summary = (a: DaemonSetActions) => [...a.createOn.map((n) => `create ${n}`), ...a.delete.map((d) => `delete ${d.node}/${d.pod.metadata.name.split('-')[2]} (${d.reason})`)].sort();

describe('scaledValue', () => {
  it.each([
    [1, 10, 1],
    ['25%', 10, 3],
    ['10%', 3, 1],
    ['0%', 3, 0],
    [undefined, 3, 0],
  ])('%s of %d is %d', (v, total, expected) => {
    expect(scaledValue(v as any, total)).toBe(expected);
  });
});

describe('planManage', () => {
  it.each<[string, (ds: any) => any[], any[] | undefined, string[]]>([
    ['creates a pod on every eligible node', () => [], undefined, ['create n1', 'create n2', 'create n3']],
    ['creates only where a pod is missing', (ds) => [pod(ds, 'n1'), pod(ds, 'n2', 'new', 'running')], undefined, ['create n3']],
    ['skips a node with an untolerated NoSchedule taint', () => [], [node('n1'), node('n2', [{ key: 'k', effect: 'NoSchedule' }])], ['create n1']],
    ['keeps a running pod on a node newly tainted NoSchedule', (ds) => [pod(ds, 'n2')], [node('n2', [{ key: 'k', effect: 'NoSchedule' }])], []],
    ['deletes the pod from a node tainted NoExecute', (ds) => [pod(ds, 'n2')], [node('n2', [{ key: 'k', effect: 'NoExecute' }])], ['delete n2/new (not-eligible)']],
    ['deletes a failed pod and does not create beside it', (ds) => [pod(ds, 'n1', 'new', 'failed')], [node('n1')], ['delete n1/new (failed)']],
    ['deletes a succeeded pod', (ds) => [pod(ds, 'n1', 'new', 'succeeded')], [node('n1')], ['delete n1/new (succeeded)']],
    ['waits for a pod being deleted', (ds) => [pod(ds, 'n1', 'new', 'deleting')], [node('n1')], []],
    ['keeps the oldest of several pods on a node', (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n1', 'new')], [node('n1')], ['delete n1/new (excess)']],
    ['deletes an unbound pod whose node is gone', (ds) => [pod(ds, 'gone', 'new', 'unbound')], [], ['delete gone/new (node-gone)']],
    ['leaves a bound pod whose node is gone to pod garbage collection', (ds) => [pod(ds, 'gone')], [], []],
  ])('%s', (_what, pods, ns, expected) => {
    const ds = makeDs();
    expect(summary(planManage(state(ds, pods(ds), ns ?? nodes)))).toEqual(expected);
  });

  it('with surge keeps an old pod beside its new one until the new one is available', () => {
    const ds = makeDs({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(summary(planManage(state(ds, [pod(ds, 'n1', 'old'), pod(ds, 'n1', 'new', 'running')], [node('n1')])))).toEqual([]);
    expect(summary(planManage(state(ds, [pod(ds, 'n1', 'old'), pod(ds, 'n1', 'new')], [node('n1')])))).toEqual(['delete n1/old (update)']);
    expect(summary(planManage(state(ds, [pod(ds, 'n1', 'old', 'running'), pod(ds, 'n1', 'new', 'running')], [node('n1')])))).toEqual(['delete n1/old (update)']);
  });
});

describe('planRollingUpdate without surge', () => {
  it.each<[string, any, (ds: any) => any[], string[]]>([
    ['replaces one old pod with maxUnavailable 1', 1, (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['delete n1/old (update)']],
    ['replaces two with maxUnavailable 2', 2, (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['delete n1/old (update)', 'delete n2/old (update)']],
    ['rounds percentages up', '34%', (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['delete n1/old (update)', 'delete n2/old (update)']],
    ['waits while a new pod is not available', 1, (ds) => [pod(ds, 'n1', 'new', 'running'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], []],
    ['counts a node without a pod as unavailable', 1, (ds) => [pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], []],
    ['continues once the new pod is available', 1, (ds) => [pod(ds, 'n1', 'new'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['delete n2/old (update)']],
    ['replaces unavailable old pods at once', 1, (ds) => [pod(ds, 'n1', 'old', 'running'), pod(ds, 'n2', 'old', 'running'), pod(ds, 'n3', 'old')], ['delete n1/old (update)', 'delete n2/old (update)']],
    ['does nothing when all are updated', 1, (ds) => [pod(ds, 'n1'), pod(ds, 'n2'), pod(ds, 'n3')], []],
  ])('%s', (_what, maxUnavailable, pods, expected) => {
    const ds = makeDs({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge: 0 } });
    expect(summary(planRollingUpdate(state(ds, pods(ds))))).toEqual(expected);
  });

  it('respects minReadySeconds', () => {
    const ds = makeDs(undefined, { minReadySeconds: 30 });
    expect(summary(planRollingUpdate(state(ds, [pod(ds, 'n1', 'new', 'just-ready'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')])))).toEqual([]);
  });

  it('does nothing with OnDelete', () => {
    const ds = makeDs({ type: 'OnDelete' });
    expect(summary(planRollingUpdate(state(ds, [pod(ds, 'n1', 'old'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')])))).toEqual([]);
  });
});

describe('planRollingUpdate with surge', () => {
  const surge = (maxSurge: any) => makeDs({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge } });
  it.each<[string, any, (ds: any) => any[], string[]]>([
    ['starts maxSurge new pods beside old ones', 1, (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['create n1']],
    ['starts more with a larger maxSurge', 2, (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['create n1', 'create n2']],
    ['waits while the surge pod is not available', 1, (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n1', 'new', 'running'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], []],
    ['deletes the old pod once the new one is available, and surges on', 1, (ds) => [pod(ds, 'n1', 'old'), pod(ds, 'n1', 'new'), pod(ds, 'n2', 'old'), pod(ds, 'n3', 'old')], ['create n2', 'delete n1/old (update)']],
    ['replaces unavailable old pods at once, besides maxSurge more', 1, (ds) => [pod(ds, 'n1', 'old', 'running'), pod(ds, 'n2', 'old', 'running'), pod(ds, 'n3', 'old')], ['create n1', 'create n2', 'create n3']],
  ])('%s', (_what, maxSurge, pods, expected) => {
    const ds = surge(maxSurge);
    expect(summary(planRollingUpdate(state(ds, pods(ds))))).toEqual(expected);
  });
});

describe('computeStatus', () => {
  it('counts desired, scheduled, ready, available, updated and misscheduled', () => {
    const ds = makeDs(undefined, { minReadySeconds: 30 });
    const ns = [node('n1'), node('n2'), node('n3'), node('n4', [{ key: 'k', effect: 'NoSchedule' }])];
    const pods = [pod(ds, 'n1'), pod(ds, 'n2', 'old', 'just-ready'), pod(ds, 'n4')];
    expect(computeStatus(state(ds, pods, ns))).toEqual({
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
  });
});
