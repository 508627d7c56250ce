/**
 * Per-pod serialization of syncs (DESIGN convention 7): at most one sync runs per pod uid; wake()
 * during a sync queues exactly one more after it; wakeAfter() schedules a later one (the earliest
 * timer wins). A failed sync is retried after 1 s, doubling to 30 s, until one succeeds.
 */
import type { Logger } from 'pino';

export interface SyncResult {
  /** Sync again after this long (a back-off ends). */
  requeueAfterMs?: number;
  /** The pod is gone and cleaned up: forget it. */
  done?: boolean;
}

interface Entry {
  running: boolean;
  pending: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  failures: number;
}

const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 30_000;

export class PodWorkers {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly sync: (uid: string) => Promise<SyncResult>,
    private readonly log: Logger,
  ) {}

  /** Requests a sync of `uid` as soon as possible. */
  wake(uid: string): void {
    if (this.stopped) return;
    const entry = this.entry(uid);
    if (entry.running) {
      entry.pending = true;
      return;
    }
    this.clearTimer(entry);
    entry.running = true;
    const run = this.run(uid, entry);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Requests a sync of `uid` in `ms`, unless one is already due sooner. */
  wakeAfter(uid: string, ms: number): void {
    if (this.stopped) return;
    const entry = this.entry(uid);
    const at = Date.now() + ms;
    if (entry.timer && entry.timerAt! <= at) return;
    this.clearTimer(entry);
    entry.timerAt = at;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.wake(uid);
    }, ms);
  }

  /** The uids with a worker. */
  uids(): string[] {
    return [...this.entries.keys()];
  }

  /** No new syncs; resolves when running ones have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.entries.values()) this.clearTimer(entry);
    await Promise.allSettled([...this.inFlight]);
  }

  private entry(uid: string): Entry {
    let entry = this.entries.get(uid);
    if (!entry) this.entries.set(uid, (entry = { running: false, pending: false, failures: 0 }));
    return entry;
  }

  private clearTimer(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.timerAt = undefined;
  }

  private async run(uid: string, entry: Entry): Promise<void> {
    let result: SyncResult = {};
    try {
      result = await this.sync(uid);
      entry.failures = 0;
    } catch (err) {
      entry.failures++;
      const delay = Math.min(RETRY_BASE_MS * 2 ** (entry.failures - 1), RETRY_MAX_MS);
      this.log.warn({ pod: uid, err: (err as Error).message, retryInMs: delay }, 'pod sync failed');
      result = { requeueAfterMs: delay };
    }
    entry.running = false;
    if (this.stopped) return;
    if (result.done && !entry.pending) {
      this.clearTimer(entry);
      this.entries.delete(uid);
      return;
    }
    if (result.requeueAfterMs !== undefined) this.wakeAfter(uid, result.requeueAfterMs);
    if (entry.pending) {
      entry.pending = false;
      this.wake(uid);
    }
  }
}
