import { describe, expect, it } from 'vitest';
import { clusterOf, makeNode, makePod, scoreAll } from '../test-fixtures.js';
import { leastAllocated } from './least-allocated.js';

describe('NodeResourcesLeastAllocated', () => {
  it.each([
    // (4000-1000)*100/4000 = 75 cpu, (8Gi-2Gi)*100/8Gi = 75 memory
    { name: 'an empty node', existing: [], pod: { cpu: '1', memory: '2Gi' }, want: 75 },
    // cpu (4000-3000)/4000 = 25, memory (8-2)/8 = 75 → 50
    { name: 'a busier node', existing: [{ cpu: '2', memory: '0' }], pod: { cpu: '1', memory: '2Gi' }, want: 50 },
    // pods requesting nothing count as 100m / 200Mi: cpu (4000-200)/4000 → 95, memory (8192-400)/8192 → 95
    { name: 'requests default to non-zero', existing: [{}], pod: {}, want: 95 },
    { name: 'over capacity scores 0', existing: [{ cpu: '4', memory: '8Gi' }], pod: { cpu: '1', memory: '1Gi' }, want: 0 },
  ])('$name', ({ existing, pod, want }) => {
    const pods = existing.map((o, i) => makePod(`e${i}`, { nodeName: 'n', ...o }));
    expect(scoreAll(leastAllocated, makePod('p', pod), clusterOf([makeNode('n', { cpu: '4', memory: '8Gi' })], pods))).toEqual({ n: want });
  });
});
