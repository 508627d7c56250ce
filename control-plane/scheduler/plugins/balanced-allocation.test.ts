import { describe, expect, it } from 'vitest';
import { clusterOf, makeNode, makePod, scoreAll } from '../test-fixtures.js';
import { balancedAllocation } from './balanced-allocation.js';

describe('NodeResourcesBalancedAllocation', () => {
  it.each([
    // cpu 1/4 = 0.25, memory 2/8 = 0.25 → deviation 0
    { name: 'equal fractions', existing: [], pod: { cpu: '1', memory: '2Gi' }, want: 100 },
    // cpu 3/4 = 0.75, memory 2/8 = 0.25 → (1 - 0.25) * 100
    { name: 'unequal fractions', existing: [{ cpu: '2' }], pod: { cpu: '1', memory: '2Gi' }, want: 75 },
    // cpu capped at 1, memory 0.125 → (1 - 0.4375) * 100 = 56.25
    { name: 'fractions cap at 1', existing: [{ cpu: '8' }], pod: { cpu: '1', memory: '1Gi' }, want: 56 },
  ])('$name', ({ existing, pod, want }) => {
    const pods = existing.map((o, i) => makePod(`e${i}`, { nodeName: 'n', ...o }));
    expect(scoreAll(balancedAllocation, makePod('p', pod), clusterOf([makeNode('n', { cpu: '4', memory: '8Gi' })], pods))).toEqual({ n: want });
  });

  it('skips best-effort pods', () => {
    expect(scoreAll(balancedAllocation, makePod('p'), clusterOf([makeNode('n')]))).toBeUndefined();
  });
});
