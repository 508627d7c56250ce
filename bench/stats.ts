/**
 * Latency statistics of a benchmark phase: nearest-rank percentiles over every recorded sample
 * (no histogram buckets, so nothing is rounded away; phases are bounded in count, so samples fit).
 */

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** The nearest-rank `p`-th percentile (0 < p ≤ 100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** p50, p99 and max of `samples` (any order; not modified). */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}
