import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod, scoreAll } from '../test-fixtures.js';
import { podTopologySpread, podTopologySpreadScore } from './pod-topology-spread.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const SKEW = "node(s) didn't match pod topology spread constraints";
const MISSING = "node(s) didn't match pod topology spread constraints (missing required label)";

const nodes = () => [
  makeNode('a', { labels: { [ZONE]: 'z1', disk: 'ssd' } }),
  makeNode('b', { labels: { [ZONE]: 'z1', disk: 'ssd' } }),
  makeNode('c', { labels: { [ZONE]: 'z2' } }),
  makeNode('d', { labels: { [ZONE]: 'z2' } }),
];
const web = (name: string, node: string, o: Parameters<typeof makePod>[1] = {}) => makePod(name, { nodeName: node, labels: { app: 'web' }, ...o });
const constraint = (topologyKey: string, extra: Record<string, unknown> = {}) => ({
  maxSkew: 1,
  topologyKey,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
});
const spreadPod = (constraints: any[], o: Parameters<typeof makePod>[1] = {}) => makePod('p', { labels: { app: 'web' }, ...o, spec: { topologySpreadConstraints: constraints, ...o.spec } });

function reasons(pod: any, existing: any[], clusterNodes = nodes()) {
  const result = filterAll(podTopologySpread, pod, clusterOf(clusterNodes, existing));
  return Object.fromEntries(Object.entries(result).map(([n, r]) => [n, r?.reasons[0]]));
}

describe('PodTopologySpread filter', () => {
  const threeInZ1 = () => [web('w1', 'a'), web('w2', 'a'), web('w3', 'b')];

  it.each([
    { name: 'per zone', constraints: [constraint(ZONE)], o: {}, want: { a: SKEW, b: SKEW, c: undefined, d: undefined } },
    { name: 'per host', constraints: [constraint(HOST)], o: {}, want: { a: SKEW, b: SKEW, c: undefined, d: undefined } },
    { name: 'a larger maxSkew', constraints: [constraint(HOST, { maxSkew: 2 })], o: {}, want: { a: SKEW, b: undefined, c: undefined, d: undefined } },
    { name: 'a pod outside the selector adds nothing itself', constraints: [constraint(HOST, { maxSkew: 2 })], o: { labels: { app: 'api' } }, want: { a: undefined, b: undefined, c: undefined, d: undefined } },
    { name: 'ScheduleAnyway does not filter', constraints: [constraint(ZONE, { whenUnsatisfiable: 'ScheduleAnyway' })], o: {}, want: { a: undefined, b: undefined, c: undefined, d: undefined } },
    {
      name: 'nodes the pod may not use do not count (nodeAffinityPolicy Honor)',
      constraints: [constraint(ZONE)],
      o: { spec: { nodeSelector: { disk: 'ssd' } } },
      want: { a: undefined, b: undefined, c: undefined, d: undefined },
    },
    {
      name: 'nodeAffinityPolicy Ignore counts every node',
      constraints: [constraint(ZONE, { nodeAffinityPolicy: 'Ignore' })],
      o: { spec: { nodeSelector: { disk: 'ssd' } } },
      want: { a: SKEW, b: SKEW, c: undefined, d: undefined },
    },
  ])('$name', ({ constraints, o, want }) => {
    expect(reasons(spreadPod(constraints, o), threeInZ1())).toEqual(want);
  });

  it('does not count terminating pods or pods of other namespaces', () => {
    const existing = [web('w1', 'a', { deleting: true }), web('w2', 'a', { namespace: 'other' })];
    expect(reasons(spreadPod([constraint(HOST)]), existing)).toEqual({ a: undefined, b: undefined, c: undefined, d: undefined });
  });

  it('treats missing domains below minDomains as empty', () => {
    const existing = [web('w1', 'a'), web('w2', 'c')];
    expect(reasons(spreadPod([constraint(ZONE)]), existing)).toEqual({ a: undefined, b: undefined, c: undefined, d: undefined });
    expect(reasons(spreadPod([constraint(ZONE, { minDomains: 3 })]), existing)).toEqual({ a: SKEW, b: SKEW, c: SKEW, d: SKEW });
  });

  it('rejects nodes without the topology key for good', () => {
    const bare = makeNode('e');
    const result = filterAll(podTopologySpread, spreadPod([constraint(ZONE)]), clusterOf([...nodes(), bare], []));
    expect(result.e?.reasons).toEqual([MISSING]);
    expect(result.e?.unresolvable).toBe(true);
    expect(result.a).toBeUndefined();
  });
});

describe('PodTopologySpread score', () => {
  it('favours hosts with fewer matching pods (ScheduleAnyway)', () => {
    const pod = spreadPod([constraint(HOST, { whenUnsatisfiable: 'ScheduleAnyway' })]);
    // raw: count * log(4 + 2): a 2 → 4, b 1 → 2, c/d 0; normalized 100 * (max + min - s) / max
    expect(scoreAll(podTopologySpreadScore, pod, clusterOf(nodes(), [web('w1', 'a'), web('w2', 'a'), web('w3', 'b')]))).toEqual({ a: 0, b: 50, c: 100, d: 100 });
  });

  it('spreads the pods of one controller by host and zone without constraints (system defaults)', () => {
    const owned = (name: string, node: string) => makePod(name, { nodeName: node, owner: 'rs1' });
    const existing = [owned('r1', 'a'), owned('r2', 'a'), owned('r3', 'b'), makePod('stranger', { nodeName: 'c' })];
    // a: 2·log 6 + 2 + 3·log 4 + 4 ≈ 13.7 → 14; b ≈ 12; c, d: 6 → 100·(14+6−s)/14
    expect(scoreAll(podTopologySpreadScore, makePod('p', { owner: 'rs1' }), clusterOf(nodes(), existing))).toEqual({ a: 42, b: 57, c: 100, d: 100 });
  });

  it('skips a pod without constraints or controller', () => {
    expect(scoreAll(podTopologySpreadScore, makePod('p'), clusterOf(nodes(), [web('w1', 'a')]))).toBeUndefined();
  });
});
