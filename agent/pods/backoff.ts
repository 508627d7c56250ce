/**
 * Per-key exponential back-off as upstream's flowcontrol.Backoff, used for CrashLoopBackOff (keyed
 * by pod uid and container name) and ImagePullBackOff (pod uid and image): the first failure sets
 * the initial delay, each further one doubles it up to the maximum, and an entry not updated for
 * twice the maximum counts as stable again (so a container that ran 10 minutes starts over at
 * 10 s). No jitter, as the kubelet's. The decisions are pure functions of an entry and the clock;
 * the Backoff class only keeps the entries.
 */

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
}

/** The kubelet's: 10 s doubling to 5 min. */
export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 10_000, maxMs: 300_000 };

export interface BackoffEntry {
  /** The current delay. */
  delayMs: number;
  /** When next() last ran for the key (ms since the epoch). */
  lastUpdate: number;
}

/** Read access to the entries: what the pure sync logic gets. */
export interface BackoffView {
  readonly config: BackoffConfig;
  get(key: string): BackoffEntry | undefined;
}

function hasExpired(eventTime: number, lastUpdate: number, maxMs: number): boolean {
  return eventTime - lastUpdate > 2 * maxMs;
}

/** Whether something that failed at `eventTime` must still wait at `now` (IsInBackOffSince). */
export function inBackOffSince(entry: BackoffEntry | undefined, eventTime: number, now: number, config: BackoffConfig): boolean {
  if (!entry || hasExpired(eventTime, entry.lastUpdate, config.maxMs)) return false;
  return now - eventTime < entry.delayMs;
}

/** Whether the key must still wait at `now`, counting from its last update (IsInBackOffSinceUpdate). */
export function inBackOffSinceUpdate(entry: BackoffEntry | undefined, now: number, config: BackoffConfig): boolean {
  if (!entry || hasExpired(now, entry.lastUpdate, config.maxMs)) return false;
  return now - entry.lastUpdate < entry.delayMs;
}

/** The entry after one more failure at `eventTime`, recorded at `now` (Next). */
export function nextEntry(entry: BackoffEntry | undefined, eventTime: number, now: number, config: BackoffConfig): BackoffEntry {
  if (!entry || hasExpired(eventTime, entry.lastUpdate, config.maxMs)) return { delayMs: config.initialMs, lastUpdate: now };
  return { delayMs: Math.min(entry.delayMs * 2, config.maxMs), lastUpdate: now };
}

/** The entries of one kind of back-off. Not thread-safe beyond JS's single thread; never throws. */
export class Backoff implements BackoffView {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(readonly config: BackoffConfig) {}

  get(key: string): BackoffEntry | undefined {
    return this.entries.get(key);
  }

  /** Records a failure at `eventTime` (ms); returns the new entry. */
  next(key: string, eventTime: number, now: number = Date.now()): BackoffEntry {
    const entry = nextEntry(this.entries.get(key), eventTime, now, this.config);
    this.entries.set(key, entry);
    return entry;
  }

  /** Forgets every key starting with `prefix` (a pod that went away). */
  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

/** A duration as Go's time.Duration prints it: `500ms`, `10s`, `1m20s`, `5m0s`, `1h0m0s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const sec = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${sec}`;
  if (minutes > 0) return `${minutes}m${sec}`;
  return sec;
}
