import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, DEFAULT_SCORES } from './default-plugins.js';
import { rejection } from './fit-error.js';
import { Framework, numFeasibleNodesToFind, type FilterPlugin, type ScorePlugin } from './framework.js';
import { Nominator } from './nominator.js';
import { podInfoOf } from './pod-info.js';
import { clusterOf, makeNode, makePod } from './test-fixtures.js';

const nodes = (n: number, spec: Parameters<typeof makeNode>[1] = {}) => Array.from({ length: n }, (_, i) => makeNode(`n${String(i).padStart(4, '0')}`, spec));

describe('numFeasibleNodesToFind', () => {
  it.each([
    [undefined, 50, 50],
    [undefined, 100, 100],
    [undefined, 1000, 420],
    [undefined, 5000, 500],
    [undefined, 250, 120],
    [10, 1000, 100],
    [30, 1000, 300],
    [100, 1000, 1000],
  ])('percentage %s of %i nodes: %i', (percentage, all, want) => {
    expect(numFeasibleNodesToFind(percentage, all)).toBe(want);
  });
});

/** A filter that counts its calls and rejects the nodes named. */
function countingFilter(rejected: Set<string> = new Set()): FilterPlugin & { calls: number } {
  const f = {
    name: 'Counting',
    events: [],
    calls: 0,
    filter: (_pod: unknown, node: { name: string }) => {
      f.calls++;
      return rejected.has(node.name) ? rejection('nope') : undefined;
    },
  };
  return f as FilterPlugin & { calls: number };
}

describe('Framework.schedule', () => {
  it('stops filtering once enough nodes are feasible, and starts the next cycle where it stopped', () => {
    const filter = countingFilter();
    const fw = new Framework([filter], []);
    const cluster = clusterOf(nodes(1000));
    const first = fw.schedule(podInfoOf(makePod('p1')), cluster);
    expect(first).toMatchObject({ kind: 'scheduled', evaluated: 420, feasible: 420 });
    expect(filter.calls).toBe(420);
    // Without scores all nodes tie; the winner is among the 420 evaluated, then the next cycle starts at node 420.
    const visited: string[] = [];
    const spy: FilterPlugin = { name: 'Spy', events: [], filter: (_p, node) => void visited.push(node.name) };
    const fw2 = new Framework([spy], [], { percentageOfNodesToScore: 10 });
    fw2.schedule(podInfoOf(makePod('a')), cluster);
    fw2.schedule(podInfoOf(makePod('b')), cluster);
    expect(visited[0]).toBe('n0000');
    expect(visited[100]).toBe('n0100');
    expect(visited.length).toBe(200);
  });

  it('evaluates every node when few are feasible, and reports each rejection', () => {
    const rejected = new Set(nodes(10).slice(1).map((n) => n.metadata.name));
    const result = new Framework([countingFilter(rejected)], []).schedule(podInfoOf(makePod('p')), clusterOf(nodes(10)));
    expect(result).toMatchObject({ kind: 'scheduled', node: 'n0000', evaluated: 10, feasible: 1 });
  });

  it('sums up the reasons of a pod that fits nowhere', () => {
    const cluster = clusterOf([makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }), makeNode('w1', { memory: '1Gi' }), makeNode('w2', { memory: '1Gi' })]);
    const result = new Framework(DEFAULT_FILTERS, DEFAULT_SCORES).schedule(podInfoOf(makePod('big', { memory: '2Gi' })), cluster);
    if (result.kind !== 'unschedulable') throw new Error(`expected unschedulable, got ${result.kind}`);
    expect(result.fitError.message()).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory.');
    expect([...result.plugins].sort()).toEqual(['NodeResourcesFit', 'TaintToleration']);
  });

  it('reports a cluster without nodes as an error', () => {
    expect(new Framework(DEFAULT_FILTERS, DEFAULT_SCORES).schedule(podInfoOf(makePod('p')), clusterOf([]))).toEqual({ kind: 'error', message: 'no nodes available to schedule pods' });
  });

  it('weights and sums the normalized scores', () => {
    const byName = (scores: Record<string, number>): ScorePlugin => ({ name: 'ByName', score: (_p, node) => scores[node.name]! });
    const cluster = clusterOf([makeNode('a'), makeNode('b')]);
    const pod = podInfoOf(makePod('p'));
    // a: 1·10 + 3·0 = 10, b: 1·0 + 3·5 = 15
    const fw = new Framework([], [{ plugin: byName({ a: 10, b: 0 }), weight: 1 }, { plugin: byName({ a: 0, b: 5 }), weight: 3 }]);
    expect([...fw.prioritize(pod, cluster.nodes, cluster, fw.prepare(pod, cluster).state)]).toEqual([10, 15]);
    expect(fw.schedule(pod, cluster)).toMatchObject({ kind: 'scheduled', node: 'b' });
  });

  it('breaks ties at random', () => {
    const cluster = clusterOf([makeNode('a'), makeNode('b'), makeNode('c')]);
    const flat: ScorePlugin = { name: 'Flat', score: () => 50 };
    const pick = (random: number) => (new Framework([], [{ plugin: flat, weight: 1 }], { random: () => random }).schedule(podInfoOf(makePod('p')), cluster) as { node: string }).node;
    expect(pick(0.99)).toBe('a');
    expect(pick(0)).toBe('c');
  });

  it('spreads pods over equal nodes with the default plugins', () => {
    const cluster = clusterOf(nodes(4));
    const fw = new Framework(DEFAULT_FILTERS, DEFAULT_SCORES);
    for (let i = 0; i < 8; i++) {
      const pod = podInfoOf(makePod(`p${i}`, { cpu: '500m', memory: '512Mi' }));
      const result = fw.schedule(pod, cluster);
      if (result.kind !== 'scheduled') throw new Error('unschedulable');
      cluster.assume(pod, result.node);
    }
    expect(cluster.nodes.map((n) => n.pods.size)).toEqual([2, 2, 2, 2]);
  });

  it('tries the nominated node first and counts nominated pods of higher priority as present', () => {
    const nominator = new Nominator();
    const cluster = clusterOf([makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' })], [], {}, nominator);
    const fw = new Framework(DEFAULT_FILTERS, DEFAULT_SCORES);
    const preemptor = podInfoOf(makePod('high', { cpu: '1', priority: 100 }));
    nominator.set(preemptor, 'b');
    const low = podInfoOf(makePod('low', { cpu: '1', priority: 1 }));
    expect(fw.schedule(low, cluster)).toMatchObject({ kind: 'scheduled', node: 'a' });
    expect(fw.schedule(preemptor, cluster)).toMatchObject({ kind: 'scheduled', node: 'b', evaluated: 1 });
  });
});
