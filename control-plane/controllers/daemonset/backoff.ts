/**
 * Backoff for deleting failed daemon pods per (DaemonSet, node), as upstream's failedPodsBackoff:
 * a node whose kubelet keeps failing the pod is not hot-looped; the delay starts at 1 s and doubles
 * to 15 min, and is forgotten after it has been quiet for twice the maximum.
 */

const INITIAL_MS = 1000;
const MAX_MS = 15 * 60_000;

export class FailedPodBackoff {
  private readonly entries = new Map<string, { delay: number; last: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds left before the next deletion on `key` may happen (0: now), recording it when 0. */
  next(key: string): number {
    const now = this.now();
    const e = this.entries.get(key);
    if (e && now - e.last > 2 * MAX_MS) this.entries.delete(key);
    const cur = this.entries.get(key);
    if (cur && now < cur.last + cur.delay) return cur.last + cur.delay - now;
    this.entries.set(key, { delay: cur ? Math.min(cur.delay * 2, MAX_MS) : INITIAL_MS, last: now });
    return 0;
  }
}
