/**
 * The watch hub: one per store instance. A dedicated Redis connection runs `XREAD BLOCK` over the
 * event streams of every resource that has watchers here and fans each change, parsed once, out to
 * those watchers in rv order. Watchers on other store instances read the same streams, so every API
 * server sees every write.
 *
 * Joining without gaps: a subscriber registers first (pending), then reads its initial state (a list
 * or a history replay) on the command connection, then calls activate(rv) with the counter value
 * that read saw. A stream nobody here watched yet starts being read after that rv; a stream already
 * being read delivers every change after its current position to the new subscriber, and all changes
 * up to that position were in Redis before the subscriber's read. Replies on the command connection
 * come back in order, so activations of one stream arrive with non-decreasing rvs.
 *
 * A hub that falls so far behind that a stream was trimmed past its position ends that stream's
 * subscribers (they resume and get 410) instead of skipping events.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseEntry, type Change } from './change.js';
import type { KeySpace } from './keys.js';
import type { StreamEntry } from './scripts.js';

export interface Subscriber {
  offer(change: Change): void;
  /** The hub can no longer guarantee gap-free delivery: the subscriber must end. */
  lost(): void;
}

export interface Subscription {
  /** Starts delivery: every change with rv > `rv` reaches the subscriber (some at or below it may too). */
  activate(rv: number): void;
  /** The rv up to which every change of the stream has been delivered; undefined before the first read. */
  position(): number | undefined;
  unsubscribe(): void;
}

export interface HubOptions {
  /** Longest XREAD BLOCK; new streams normally join at once (CLIENT UNBLOCK), at the latest after this. */
  blockMs: number;
  /** Entries read per stream per XREAD; at most the history limit (see lagging()). */
  count: number;
}

interface StreamState {
  key: string;
  compactedKey: string;
  /** Read position: every entry with rv <= pos has been dispatched. Undefined until activated. */
  pos: number | undefined;
  /** Included in an XREAD already: pos only moves forward through reads from now on. */
  started: boolean;
  subs: Set<Subscriber>;
}

const MAX_BACKOFF_MS = 1000;

export class WatchHub {
  private readonly streams = new Map<string, StreamState>();
  private readonly conn: Redis;
  private clientId: number | undefined;
  /** Bumped for every XREAD; `blocked` says one is in flight. */
  private generation = 0;
  private blocked = false;
  private idle: (() => void) | undefined;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly main: Redis,
    private readonly keys: KeySpace,
    private readonly log: Logger,
    private readonly opts: HubOptions,
  ) {
    this.conn = main.duplicate({ enableAutoPipelining: false, connectionName: 'tug-watch-hub' });
    this.conn.on('error', (err: Error) => this.log.debug({ err }, 'watch hub connection error'));
    this.conn.on('close', () => {
      this.clientId = undefined;
    });
    this.done = this.run();
  }

  /** Registers `sub` for `resource`; nothing is delivered for a new stream until activate(). */
  subscribe(resource: string, sub: Subscriber): Subscription {
    const key = this.keys.events(resource);
    let state = this.streams.get(key);
    if (!state) {
      state = { key, compactedKey: this.keys.of(resource).compacted, pos: undefined, started: false, subs: new Set() };
      this.streams.set(key, state);
    }
    state.subs.add(sub);
    const joined = state;
    return {
      activate: (rv) => {
        if (joined.started || this.streams.get(key) !== joined) return;
        joined.pos = joined.pos === undefined ? rv : Math.min(joined.pos, rv);
        this.wake();
      },
      position: () => (joined.started ? joined.pos : undefined),
      unsubscribe: () => {
        joined.subs.delete(sub);
        if (joined.subs.size === 0 && this.streams.get(key) === joined) this.streams.delete(key);
      },
    };
  }

  /** Stops reading and closes the hub's connection. Subscribers are not notified. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.idle?.();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    this.sleepers.clear();
    this.conn.disconnect();
    await this.done;
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (!this.closed) {
      if (this.activeStreams().length === 0) {
        await new Promise<void>((resolve) => (this.idle = resolve));
        this.idle = undefined;
        continue;
      }
      try {
        if (this.clientId === undefined) this.clientId = Number(await this.conn.client('ID'));
        // No await between choosing the streams and sending XREAD: wake() relies on it.
        await this.readOnce(this.activeStreams());
        backoff = 0;
      } catch (err) {
        if (this.closed) break;
        backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : 50);
        this.log.warn({ err, retryInMs: backoff }, 'watch hub read failed');
        await this.sleep(backoff);
      }
    }
  }

  private activeStreams(): StreamState[] {
    return [...this.streams.values()].filter((s) => s.pos !== undefined);
  }

  private async readOnce(active: StreamState[]): Promise<void> {
    if (active.length === 0) return;
    for (const state of active) state.started = true;
    const ids = active.map((s) => `${s.pos}-0`);
    this.generation++;
    this.blocked = true;
    let reply: [string, StreamEntry[]][] | null;
    try {
      reply = (await this.conn.call(
        'XREAD', 'COUNT', this.opts.count, 'BLOCK', this.opts.blockMs, 'STREAMS', ...active.map((s) => s.key), ...ids,
      )) as [string, StreamEntry[]][] | null;
    } finally {
      this.blocked = false;
    }
    if (!reply) return;
    const byKey = new Map(active.map((s) => [s.key, s]));
    for (const [key, entries] of reply) {
      const state = byKey.get(key);
      // A stream whose last watcher left while the read was in flight.
      if (!state || this.streams.get(key) !== state || entries.length === 0) continue;
      if (await this.lagging(state, entries.length)) {
        this.log.warn({ stream: key, position: state.pos }, 'watch hub fell behind the trimmed history; ending its watches');
        this.streams.delete(key);
        for (const sub of [...state.subs]) sub.lost();
        continue;
      }
      this.dispatch(state, entries);
    }
  }

  /**
   * Whether entries after `state.pos` may have been trimmed before this read. Trimming keeps at
   * least `count` entries, all newer than anything trimmed, so a read that returned fewer than
   * `count` entries saw everything after `pos`; only a full read needs to consult the compacted rv.
   */
  private async lagging(state: StreamState, returned: number): Promise<boolean> {
    if (returned < this.opts.count) return false;
    const compacted = Number((await this.main.get(state.compactedKey)) ?? '0');
    return compacted > (state.pos ?? 0);
  }

  private dispatch(state: StreamState, entries: StreamEntry[]): void {
    for (const entry of entries) {
      let change: Change;
      try {
        change = parseEntry(entry);
      } catch (err) {
        this.log.error({ err, stream: state.key, id: entry[0] }, 'unreadable stream entry skipped');
        continue;
      }
      state.pos = change.rv;
      for (const sub of state.subs) sub.offer(change);
    }
  }

  /** Makes a blocked XREAD return now so that it is reissued with the streams activated since. */
  private wake(): void {
    if (this.idle) {
      this.idle();
      return;
    }
    // No XREAD in flight: the loop reads the current stream set before issuing the next one.
    if (!this.blocked || this.clientId === undefined) return;
    void this.unblock(this.generation, this.clientId);
  }

  private async unblock(generation: number, clientId: number): Promise<void> {
    // The XREAD may not have reached the server yet (UNBLOCK answers 0); try again briefly.
    for (let attempt = 0; attempt < 20; attempt++) {
      if (this.closed || !this.blocked || this.generation !== generation) return;
      const unblocked = await this.main.client('UNBLOCK', clientId).catch(() => 0);
      if (unblocked === 1) return;
      await this.sleep(5);
    }
  }

  /** A delay that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(sleeper);
    });
  }
}
