/**
 * One running watch: filters changes for its namespace and predicate (turning a MODIFIED into ADDED
 * or DELETED when the object enters or leaves the selection, as upstream's watch cache does), queues
 * them for next(), and sends bookmarks.
 *
 * Lifecycle: while starting, changes the hub delivers are held back; the store feeds the initial
 * events (ADDED for listed objects, or replayed changes) and then calls goLive(floor), which releases
 * the held changes newer than `floor`. Changes at or below the last processed rv are skipped, so
 * overlap between replay and live delivery yields neither gaps nor duplicates.
 *
 * The queue is bounded: a consumer that falls `bufferSize` events behind is ended (next() resolves
 * to undefined) so it resumes from its last resourceVersion; writers and other watchers never wait.
 */
import type { KObject, Watch, WatchEvent } from '../store.js';
import type { Change } from './change.js';
import { inNamespace } from './keys.js';
import type { Subscriber, Subscription } from './watch-hub.js';

export interface WatcherOptions {
  namespace?: string;
  predicate?: (obj: KObject) => boolean;
  bookmarkIntervalMs: number;
  bufferSize: number;
  /** Called once when the watch ends, for whatever reason. */
  onEnd: (why: EndReason) => void;
}

/** stopped: stop() or the store closing; overflow: the consumer fell behind; lagged: the hub did; failed: the predicate threw. */
export type EndReason = 'stopped' | 'overflow' | 'lagged' | 'failed';

export class StoreWatch implements Watch, Subscriber {
  private queue: WatchEvent[] = [];
  private head = 0;
  private held: Change[] | undefined = [];
  private floor = 0;
  private capacity: number;
  private ended = false;
  private waiters: ((event: WatchEvent | undefined) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastBookmark = -1;
  private subscription: Subscription | undefined;

  constructor(private readonly opts: WatcherOptions) {
    this.capacity = opts.bufferSize;
  }

  /** Connects the watch to its hub subscription (ended together with the watch). */
  attach(subscription: Subscription): void {
    this.subscription = subscription;
  }

  next(): Promise<WatchEvent | undefined> {
    if (this.head < this.queue.length) return Promise.resolve(this.take());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.end('stopped');
  }

  /** Ends the watch: drops what is queued, resolves pending next() calls with undefined. Idempotent. */
  end(why: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.held = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    this.subscription?.unsubscribe();
    this.opts.onEnd(why);
  }

  /** An initial event (ADDED for an object listed at the start), queued as is. */
  pushInitial(event: WatchEvent): void {
    this.enqueue(event);
  }

  /** A replayed change (from history), filtered like live ones. */
  replayed(change: Change): void {
    this.process(change);
  }

  /** Initial events are queued; every change with rv <= floor is covered by them. Releases held changes. */
  goLive(floor: number): void {
    if (this.ended) return;
    this.floor = Math.max(this.floor, floor);
    this.capacity = this.opts.bufferSize + (this.queue.length - this.head);
    const held = this.held ?? [];
    this.held = undefined;
    for (const change of held) this.process(change);
    if (this.opts.bookmarkIntervalMs > 0 && !this.ended) {
      this.timer = setInterval(() => this.bookmark(), this.opts.bookmarkIntervalMs);
      this.timer.unref();
    }
  }

  lost(): void {
    this.end('lagged');
  }

  /** A change from the hub, in rv order. Never blocks. */
  offer(change: Change): void {
    if (this.ended) return;
    if (this.held) {
      this.held.push(change);
      if (this.held.length > this.capacity) this.end('overflow');
      return;
    }
    this.process(change);
  }

  private process(change: Change): void {
    if (change.rv <= this.floor || this.ended) return;
    this.floor = change.rv;
    let event: WatchEvent | undefined;
    try {
      event = this.convert(change);
    } catch {
      // A predicate that throws cannot be honoured; end this watch rather than the hub.
      this.end('failed');
      return;
    }
    if (event) this.enqueue(event);
  }

  private convert(change: Change): WatchEvent | undefined {
    if (!inNamespace(change.member, this.opts.namespace)) return undefined;
    const predicate = this.opts.predicate;
    if (!predicate) return { type: change.type, object: change.object };
    if (change.type !== 'MODIFIED') return predicate(change.object) ? { type: change.type, object: change.object } : undefined;
    const now = predicate(change.object);
    const previous = change.previous();
    const before = previous !== undefined && predicate(previous);
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: change.object };
    if (before) return { type: 'DELETED', object: previous! };
    return undefined;
  }

  private bookmark(): void {
    if (this.ended) return;
    const rv = Math.max(this.floor, this.subscription?.position() ?? 0);
    if (rv <= this.lastBookmark) return;
    this.lastBookmark = rv;
    const object: KObject = { metadata: { resourceVersion: String(rv) } };
    const tail = this.queue.length > this.head ? this.queue[this.queue.length - 1] : undefined;
    // A consumer that has not read the previous bookmark yet needs only the newest one.
    if (tail?.type === 'BOOKMARK') tail.object = object;
    else this.enqueue({ type: 'BOOKMARK', object });
  }

  private enqueue(event: WatchEvent): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(event);
      return;
    }
    this.queue.push(event);
    if (this.queue.length - this.head > this.capacity && this.held === undefined) this.end('overflow');
  }

  private take(): WatchEvent {
    const event = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as WatchEvent;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return event;
  }
}
