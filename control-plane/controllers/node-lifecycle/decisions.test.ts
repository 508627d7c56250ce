import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { observe, silencedConditions } from './health.js';
import { desiredTaints, noExecuteMode, zoneStates } from './taints.js';
import { planEviction } from './tolerations.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const s = (n: number) => T0 + n * 1000;

function node(ready: string | undefined, extra: { taints?: Taint[]; conditions?: object[]; zone?: string; unschedulable?: boolean } = {}): Node {
  return {
    metadata: { name: 'n1', creationTimestamp: '2024-01-01T00:00:00Z', ...(extra.zone ? { labels: { 'topology.kubernetes.io/zone': extra.zone } } : {}) },
    spec: { taints: extra.taints, unschedulable: extra.unschedulable },
    status: {
      conditions: [
        ...(ready ? [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' }] : []),
        ...((extra.conditions ?? []) as any[]),
      ],
    },
  };
}

describe('observe', () => {
  it.each([
    { name: 'first sight: a full grace period from now', prev: undefined, renew: undefined, heartbeat: '2024-01-01T00:00:00Z', at: 50, probe: 50 },
    { name: 'nothing new: the probe stays', prev: { probeTime: s(10), heartbeat: '2024-01-01T00:00:00Z', leaseRenewTime: '2024-01-01T00:00:10Z' }, renew: '2024-01-01T00:00:10Z', heartbeat: '2024-01-01T00:00:00Z', at: 50, probe: 10 },
    { name: 'a lease renewal moves it to now', prev: { probeTime: s(10), heartbeat: '2024-01-01T00:00:00Z', leaseRenewTime: '2024-01-01T00:00:10Z' }, renew: '2024-01-01T00:00:20Z', heartbeat: '2024-01-01T00:00:00Z', at: 50, probe: 50 },
    { name: 'a new heartbeat moves it to now', prev: { probeTime: s(10), heartbeat: '2024-01-01T00:00:00Z' }, renew: undefined, heartbeat: '2024-01-01T00:00:30Z', at: 50, probe: 50 },
  ])('$name', ({ prev, renew, heartbeat, at, probe }) => {
    const n = node('True');
    n.status!.conditions![0]!.lastHeartbeatTime = heartbeat;
    expect(observe(prev, n, renew, s(at)).probeTime).toBe(s(probe));
  });

  it('a node that never posted Ready counts from its creation', () => {
    expect(observe(undefined, node(undefined), undefined, s(50)).probeTime).toBe(s(0));
  });
});

describe('silencedConditions', () => {
  const all = (status: string) => ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status }));
  it.each([
    { name: 'within the grace period: nothing', ready: 'True', others: all('False'), at: 40, want: undefined },
    {
      name: 'past it: the monitored conditions go Unknown',
      ready: 'True',
      others: [{ type: 'MemoryPressure', status: 'False' }, { type: 'NetworkUnavailable', status: 'False' }],
      at: 41,
      want: { Ready: 'Unknown/NodeStatusUnknown', MemoryPressure: 'Unknown/NodeStatusUnknown', NetworkUnavailable: 'False/undefined', DiskPressure: 'Unknown/NodeStatusNeverUpdated', PIDPressure: 'Unknown/NodeStatusNeverUpdated' },
    },
    { name: 'already Unknown: no change', ready: 'Unknown', others: all('Unknown'), at: 100, want: undefined },
  ])('$name', ({ ready, others, at, want }) => {
    const out = silencedConditions(node(ready, { conditions: others }), { probeTime: s(0) }, s(at), 40_000);
    expect(out && Object.fromEntries(out.map((c) => [c.type, `${c.status}/${c.reason}`]))).toEqual(want);
    if (out) expect(out.find((c) => c.type === 'Ready')!.message).toBe('Kubelet stopped posting node status.');
  });
});

describe('desiredTaints', () => {
  const now = new Date(s(100));
  const keys = (t: Taint[] | undefined) => t?.map((x) => `${x.key}:${x.effect}`).sort();
  it.each([
    { name: 'healthy: none', n: node('True'), mode: 'taint' as const, want: undefined },
    { name: 'Ready False: not-ready both ways', n: node('False'), mode: 'taint' as const, want: ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule'] },
    { name: 'Ready Unknown: unreachable both ways', n: node('Unknown'), mode: 'taint' as const, want: ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'] },
    { name: 'hold: no new NoExecute taint', n: node('Unknown'), mode: 'hold' as const, want: ['node.kubernetes.io/unreachable:NoSchedule'] },
    { name: 'clear: NoExecute taints go', n: node('Unknown', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), mode: 'clear' as const, want: ['node.kubernetes.io/unreachable:NoSchedule'] },
    { name: 'back to Ready: ours go, others stay', n: node('True', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoSchedule' }] }), mode: 'taint' as const, want: ['gpu:NoSchedule'] },
    { name: 'pressure and cordon', n: node('True', { conditions: [{ type: 'MemoryPressure', status: 'True' }], unschedulable: true }), mode: 'taint' as const, want: ['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule'] },
  ])('$name', ({ n, mode, want }) => {
    expect(keys(desiredTaints(n, mode, now))).toEqual(want);
  });

  it('stamps a new NoExecute taint and keeps the time of an existing one', () => {
    expect(desiredTaints(node('False'), 'taint', now)!.find((t) => t.effect === 'NoExecute')!.timeAdded).toBe('2024-01-01T00:01:40Z');
    const existing = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:05Z' };
    const next = desiredTaints(node('False', { taints: [existing] }), 'taint', now)!;
    expect(next.find((t) => t.effect === 'NoExecute')).toEqual(existing);
  });
});

describe('zone disruption', () => {
  const nodes = (ready: number, notReady: number, zone = 'a') => [...Array(ready).fill('True'), ...Array(notReady).fill('Unknown')].map((r) => node(r, { zone }));
  it.each([
    { name: 'one of two down: taint', list: nodes(1, 1), mode: 'taint' },
    { name: 'every node down: clear', list: nodes(0, 2), mode: 'clear' },
    { name: '3 of 5 down: hold', list: nodes(2, 3), mode: 'hold' },
    { name: '2 of 3 down (not more than 2): taint', list: nodes(1, 2), mode: 'taint' },
    { name: 'one zone fully down, another healthy: taint', list: [...nodes(0, 2, 'a'), ...nodes(1, 0, 'b')], mode: 'taint' },
  ])('$name', ({ list, mode }) => {
    const down = list.find((n) => n.status!.conditions![0]!.status === 'Unknown')!;
    expect(noExecuteMode(down, zoneStates(list))).toBe(mode);
  });
});

describe('eviction', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  it.each([
    { name: 'no NoExecute taint: none', tols: [], taints: [{ key: 'x', effect: 'NoSchedule' }], since: undefined, want: 'none' },
    { name: 'not tolerated: now', tols: [], taints: [unreachable], since: undefined, want: 'evict@100' },
    { name: 'tolerated for 2 s', tols: [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }], taints: [unreachable], since: undefined, want: 'evict@102' },
    { name: 'counts from the first sight', tols: [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }], taints: [unreachable], since: s(99), want: 'evict@101' },
    { name: 'tolerated forever', tols: [{ operator: 'Exists' }], taints: [unreachable], since: undefined, want: 'none' },
    { name: 'the shortest of the tolerations in use', tols: [{ operator: 'Exists', tolerationSeconds: 30 }, { key: unreachable.key, operator: 'Exists', tolerationSeconds: 5 }], taints: [unreachable], since: undefined, want: 'evict@105' },
    { name: 'negative seconds: at once', tols: [{ operator: 'Exists', tolerationSeconds: -1 }], taints: [unreachable], since: undefined, want: 'evict@100' },
  ])('$name', ({ tols, taints, since, want }) => {
    const p = planEviction(tols as any, taints as Taint[], s(100), since);
    expect(p.kind === 'evict' ? `evict@${(p.at - T0) / 1000}` : p.kind).toBe(want);
  });
});
