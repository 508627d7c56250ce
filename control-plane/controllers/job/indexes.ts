/**
 * Completion indexes of Indexed Jobs: the compact interval form of status.completedIndexes
 * ("1,3-5,7") and the choice of which indexes to run next. Pure functions.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { completionIndex } from './pods.js';

/** Parses "1,3-5,7" into a sorted set of indexes below `completions`; malformed parts are skipped. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** Formats indexes as upstream does: ascending, runs of consecutive indexes as "a-b". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes below `completions` that neither succeeded nor have a pod running them. */
export function firstPendingIndexes(count: number, completions: number, succeeded: Set<number>, running: Pod[]): number[] {
  const taken = new Set(running.map(completionIndex).filter((i): i is number => i !== undefined));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) {
    if (!succeeded.has(i) && !taken.has(i)) out.push(i);
  }
  return out;
}

/**
 * Active pods an Indexed Job must remove whatever its parallelism: pods without a valid index
 * (missing, or not below `completions`) and all but one pod of an index run more than once.
 * `pods` must be in removal order (cheapest first); the last pod of a repeated index stays.
 */
export function redundantIndexPods(pods: Pod[], completions: number): Pod[] {
  const byIndex = new Map<number, Pod[]>();
  const out: Pod[] = [];
  for (const pod of pods) {
    const ix = completionIndex(pod);
    if (ix === undefined || ix >= completions) {
      out.push(pod);
      continue;
    }
    const list = byIndex.get(ix) ?? [];
    list.push(pod);
    byIndex.set(ix, list);
  }
  for (const list of byIndex.values()) out.push(...list.slice(0, -1));
  return out;
}
