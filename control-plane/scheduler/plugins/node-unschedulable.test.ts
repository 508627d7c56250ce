import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod } from '../test-fixtures.js';
import { nodeUnschedulable } from './node-unschedulable.js';

describe('NodeUnschedulable', () => {
  it.each([
    { name: 'a schedulable node', unschedulable: false, tolerations: [], want: undefined },
    { name: 'a cordoned node', unschedulable: true, tolerations: [], want: ['node(s) were unschedulable'] },
    { name: 'a cordoned node, the taint tolerated', unschedulable: true, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }], want: undefined },
    { name: 'a cordoned node, everything tolerated', unschedulable: true, tolerations: [{ operator: 'Exists' }], want: undefined },
    { name: 'a cordoned node, only NoExecute tolerated', unschedulable: true, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }], want: ['node(s) were unschedulable'] },
  ])('$name', ({ unschedulable, tolerations, want }) => {
    const result = filterAll(nodeUnschedulable, makePod('p', { spec: { tolerations } }), clusterOf([makeNode('n', { unschedulable })])).n;
    expect(result?.reasons).toEqual(want);
    if (result) expect(result.unresolvable).toBe(true);
  });
});
