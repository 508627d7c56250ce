import { describe, expect, it } from 'vitest';
import { podInfoOf } from './pod-info.js';
import { clusterOf, makeNode, makePod } from './test-fixtures.js';

describe('SchedulerCache', () => {
  it('counts an assumed pod at once and keeps it when the informer confirms it', () => {
    const cache = clusterOf([makeNode('n1')]);
    const pod = makePod('p', { cpu: '1' });
    cache.assume(podInfoOf(pod), 'n1');
    expect(cache.node('n1')!.requested.milliCPU).toBe(1000);
    expect(cache.isAssumed(pod.metadata.uid)).toBe(true);
    const bound = { ...pod, spec: { ...pod.spec, nodeName: 'n1' } };
    cache.setPod(podInfoOf(bound), 'n1');
    expect(cache.isAssumed(pod.metadata.uid)).toBe(false);
    expect(cache.node('n1')!.requested.milliCPU).toBe(1000);
    cache.forget(pod.metadata.uid);
    expect(cache.node('n1')!.pods.size).toBe(1);
  });

  it('forgets an assumption after a failed binding', () => {
    const cache = clusterOf([makeNode('n1')]);
    const pod = podInfoOf(makePod('p', { cpu: '1' }));
    cache.assume(pod, 'n1');
    cache.forget(pod.uid);
    expect(cache.node('n1')!.requested.milliCPU).toBe(0);
    expect(cache.hasPod(pod.uid)).toBe(false);
  });

  it('moves a pod the informer reports on another node than assumed', () => {
    const cache = clusterOf([makeNode('n1'), makeNode('n2')]);
    const pod = makePod('p', { cpu: '1' });
    cache.assume(podInfoOf(pod), 'n1');
    cache.setPod(podInfoOf({ ...pod, spec: { ...pod.spec, nodeName: 'n2' } }), 'n2');
    expect([cache.node('n1')!.pods.size, cache.node('n2')!.pods.size]).toEqual([0, 1]);
  });

  it('keeps pods of a node that is not known yet, and schedules on it once it appears', () => {
    const cache = clusterOf([]);
    cache.setPod(podInfoOf(makePod('early', { nodeName: 'late', cpu: '1' })), 'late');
    expect(cache.nodes).toHaveLength(0);
    cache.setNode(makeNode('late'));
    expect(cache.nodes.map((n) => [n.name, n.requested.milliCPU])).toEqual([['late', 1000]]);
    cache.removeNode('late');
    expect(cache.nodes).toHaveLength(0);
    expect(cache.node('late')!.pods.size).toBe(1);
  });

  it('updates a node in place', () => {
    const cache = clusterOf([makeNode('n1', { cpu: '2' })]);
    cache.setNode(makeNode('n1', { cpu: '8', labels: { zone: 'a' } }));
    expect(cache.nodes).toHaveLength(1);
    expect([cache.nodes[0]!.allocatable.milliCPU, cache.nodes[0]!.labels.zone]).toEqual([8000, 'a']);
  });
});
