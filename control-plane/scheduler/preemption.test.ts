import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, DEFAULT_SCORES } from './default-plugins.js';
import { Framework } from './framework.js';
import { podInfoOf, type PodInfo } from './pod-info.js';
import { pickCandidate, Preemptor, type PreemptionOutcome } from './preemption.js';
import { clusterOf, makeNode, makePod } from './test-fixtures.js';

const fw = new Framework(DEFAULT_FILTERS, DEFAULT_SCORES);

function preempt(pod: any, nodes: any[], existing: any[]): PreemptionOutcome {
  const cluster = clusterOf(nodes, existing);
  const info = podInfoOf(pod);
  const result = fw.schedule(info, cluster);
  if (result.kind !== 'unschedulable') throw new Error(`expected the pod not to fit, got ${result.kind}`);
  return new Preemptor(fw, () => 0).preempt(info, cluster, result.fitError);
}

const victims = (o: PreemptionOutcome) => (o.kind === 'nominated' ? { node: o.node, victims: o.victims.map((v) => v.name) } : o);

describe('Preemptor', () => {
  it('evicts the fewest lower-priority pods that make room', () => {
    const existing = [
      makePod('low-a', { nodeName: 'n1', cpu: '1', priority: 1 }),
      makePod('low-b', { nodeName: 'n1', cpu: '1', priority: 2 }),
      makePod('mid', { nodeName: 'n1', cpu: '2', priority: 50 }),
    ];
    // 4 cpu, all taken; the pod needs 1: removing one pod suffices, the least important goes.
    expect(victims(preempt(makePod('high', { cpu: '1', priority: 100 }), [makeNode('n1', { cpu: '4' })], existing))).toEqual({ node: 'n1', victims: ['low-a'] });
  });

  it('never evicts pods of equal or higher priority', () => {
    const existing = [makePod('peer', { nodeName: 'n1', cpu: '4', priority: 100 })];
    expect(preempt(makePod('p', { cpu: '1', priority: 100 }), [makeNode('n1', { cpu: '4' })], existing)).toEqual({
      kind: 'failed',
      message: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      clearNomination: true,
    });
  });

  it('reports nodes where eviction cannot help', () => {
    const nodes = [makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }), makeNode('w1', { memory: '1Gi' }), makeNode('w2', { memory: '1Gi' })];
    const outcome = preempt(makePod('big', { memory: '2Gi', priority: 10 }), nodes, []);
    expect(outcome).toMatchObject({
      kind: 'failed',
      message: 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    });
  });

  it('reports nodes that stay too small without their lower-priority pods', () => {
    const outcome = preempt(makePod('huge', { cpu: '8', priority: 10 }), [makeNode('n1', { cpu: '4' })], [makePod('low', { nodeName: 'n1', cpu: '1' })]);
    expect(outcome).toMatchObject({ kind: 'failed', message: 'preemption: 0/1 nodes are available: 1 Insufficient cpu.' });
  });

  it('does not preempt with preemptionPolicy Never', () => {
    const pod = makePod('p', { cpu: '1', priority: 100, spec: { preemptionPolicy: 'Never' } });
    expect(preempt(pod, [makeNode('n1', { cpu: '1' })], [makePod('low', { nodeName: 'n1', cpu: '1' })])).toEqual({
      kind: 'failed',
      message: 'preemption: not eligible due to preemptionPolicy=Never.',
      clearNomination: false,
    });
  });

  it('evicts pods holding a wanted host port', () => {
    const port = [{ containerPort: 80, hostPort: 80 }];
    const existing = [makePod('web-low', { nodeName: 'n1', ports: port, priority: 0 })];
    expect(victims(preempt(makePod('web-high', { ports: port, priority: 10 }), [makeNode('n1')], existing))).toEqual({ node: 'n1', victims: ['web-low'] });
  });

  it('prefers the node whose victims matter least', () => {
    const nodes = [makeNode('a', { cpu: '1' }), makeNode('b', { cpu: '1' }), makeNode('c', { cpu: '1' })];
    const existing = [
      makePod('a1', { nodeName: 'a', cpu: '1', priority: 5 }),
      makePod('b1', { nodeName: 'b', cpu: '500m', priority: 1 }),
      makePod('b2', { nodeName: 'b', cpu: '500m', priority: 1 }),
      makePod('c1', { nodeName: 'c', cpu: '1', priority: 1 }),
    ];
    // b and c both top out at priority 1; c has the smaller sum (one victim).
    expect(victims(preempt(makePod('p', { cpu: '1', priority: 10 }), nodes, existing))).toEqual({ node: 'c', victims: ['c1'] });
  });
});

describe('pickCandidate', () => {
  const pod = (priority: number, start: number) => ({ priority, startTime: start }) as PodInfo;
  it.each([
    { name: 'lowest highest priority', cands: { x: [pod(5, 0)], y: [pod(3, 0), pod(3, 0)] }, want: 'y' },
    { name: 'smallest priority sum', cands: { x: [pod(3, 0), pod(3, 0)], y: [pod(3, 0), pod(1, 0)] }, want: 'y' },
    { name: 'fewest victims', cands: { x: [pod(3, 0), pod(-1, 0), pod(-1, 0)], y: [pod(3, 0), pod(-1, 0)] }, want: 'y' },
    { name: 'latest start of the most important victims', cands: { x: [pod(3, 100)], y: [pod(3, 200)] }, want: 'y' },
    { name: 'the first when all else ties', cands: { x: [pod(3, 100)], y: [pod(3, 100)] }, want: 'x' },
  ])('$name', ({ cands, want }) => {
    expect(pickCandidate(Object.entries(cands).map(([node, victims]) => ({ node, victims }))).node).toBe(want);
  });
});
