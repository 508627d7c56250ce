import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    { sorted: hundred, p: 50, want: 50 },
    { sorted: hundred, p: 99, want: 99 },
    { sorted: hundred, p: 100, want: 100 },
    { sorted: hundred, p: 0.1, want: 1 },
    { sorted: [7], p: 50, want: 7 },
    { sorted: [7], p: 99, want: 7 },
    { sorted: [1, 2, 3, 4, 5], p: 50, want: 3 },
    { sorted: [1, 2, 3, 4, 5], p: 99, want: 5 },
  ])('p$p of $sorted.length samples is $want', ({ sorted, p, want }) => {
    expect(percentile(sorted, p)).toBe(want);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts numerically without changing its input', () => {
    const samples = [10, 9, 100, 2, 1];
    expect(summarize(samples)).toEqual({ count: 5, p50: 9, p99: 100, max: 100 });
    expect(samples).toEqual([10, 9, 100, 2, 1]);
  });

  it('reports NaN for an empty phase', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.max).toBeNaN();
  });
});
