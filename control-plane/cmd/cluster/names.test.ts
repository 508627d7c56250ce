import { describe, expect, it } from 'vitest';
import { checkClusterName, nodeNames } from './names.js';

describe('checkClusterName', () => {
  it.each(['a', 'tugboat', 'e2e-1f2e3d', 'x'.repeat(40)])('accepts %s', (name) => expect(() => checkClusterName(name)).not.toThrow());
  it.each(['', 'Upper', '-lead', 'trail-', 'under_score', 'x'.repeat(41), 'dot.ted'])('refuses %j', (name) => expect(() => checkClusterName(name)).toThrow(/not valid/));
});

describe('nodeNames', () => {
  it('names the first node control-plane and the others worker, worker2, … as kind does', () => {
    expect(nodeNames('c', 4)).toEqual([
      { name: 'c-control-plane', role: 'control-plane' },
      { name: 'c-worker', role: 'worker' },
      { name: 'c-worker2', role: 'worker' },
      { name: 'c-worker3', role: 'worker' },
    ]);
  });
  it.each([0, -1, 1.5, 201])('refuses %d nodes', (n) => expect(() => nodeNames('c', n)).toThrow(/--nodes/));
});
