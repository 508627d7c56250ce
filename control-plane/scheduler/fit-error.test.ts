import { describe, expect, it } from 'vitest';
import { FitError, rejection } from './fit-error.js';

const TAINT = 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }';

describe('FitError.message', () => {
  it.each([
    {
      name: 'counts and sorts reasons as strings',
      statuses: { n1: ['Insufficient memory'], n2: ['Insufficient memory'], cp: [TAINT] },
      post: '',
      want: `0/3 nodes are available: 1 ${TAINT}, 2 Insufficient memory.`,
    },
    {
      name: 'counts every reason of a node',
      statuses: { n1: ['Insufficient cpu', 'Insufficient memory'], n2: ['Insufficient cpu'] },
      post: '',
      want: '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.',
    },
    {
      name: 'appends the preemption outcome',
      statuses: { n1: ['Insufficient memory'], n2: ['Insufficient memory'], cp: [TAINT] },
      post: 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
      want: `0/3 nodes are available: 1 ${TAINT}, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.`,
    },
    {
      name: 'sorts counts as text, as upstream (10 before 9)',
      statuses: Object.fromEntries([...Array.from({ length: 10 }, (_, i) => [`a${i}`, ['Insufficient cpu']]), ...Array.from({ length: 9 }, (_, i) => [`b${i}`, ['Too many pods']])]),
      post: '',
      want: '0/19 nodes are available: 10 Insufficient cpu, 9 Too many pods.',
    },
  ])('$name', ({ statuses, post, want }) => {
    const map = new Map(Object.entries(statuses).map(([n, r]) => [n, rejection(r)]));
    const err = new FitError(map.size, map);
    err.postFilterMessage = post;
    expect(err.message()).toBe(want);
  });

  it('gives nodes without a status the absent verdict', () => {
    const err = new FitError(3, new Map([['n1', rejection('No preemption victims found for incoming pod', true)]]), rejection('Preemption is not helpful for scheduling', true));
    expect(err.message()).toBe('0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
  });
});
