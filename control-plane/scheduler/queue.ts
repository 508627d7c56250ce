/**
 * The scheduling queue, as upstream's PriorityQueue: pods waiting to be scheduled live in one of
 *
 * - activeQ: ready now, popped highest priority first, then oldest first;
 * - backoffQ: failed recently, waiting out their backoff (1 s doubling per attempt up to 10 s);
 * - unschedulable: rejected by some filter plugins, waiting for a cluster event one of those
 *   plugins cares about (a node added, a pod deleted, …), after which they go to activeQ (or
 *   backoffQ while still backing off); any left there longer than maxUnschedulableMs are retried.
 *
 * A popped pod is "in flight" until requeued or forgotten. Not thread-safe by design: Node runs
 * it on one thread. flush() must be called periodically (the scheduler does it every second).
 */
import type { ClusterEvent } from './framework.js';
import type { PodInfo } from './pod-info.js';

type Place = 'active' | 'backoff' | 'unschedulable' | 'inflight';

export interface QueuedPod {
  readonly key: string;
  /** The newest version of the pod. */
  pod: PodInfo;
  /** When the pod first entered the queue (ms): order among equal priorities. */
  readonly timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Filter plugins that rejected it in its last attempt; empty: any cluster event may help. */
  unschedulablePlugins: ReadonlySet<string>;
  /** When its current backoff ends (ms). */
  backoffUntil: number;
  /** When it last went to the unschedulable pods (ms). */
  unschedulableSince: number;
  place: Place;
  /** Bumped on every move; heap entries of older moves are stale. */
  seq: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods older than this are retried even without an event (upstream: 5 min). */
  maxUnschedulableMs?: number;
  now?: () => number;
}

/** A binary min-heap of (item, seq) with a comparator; stale entries are skipped by the owner. */
class Heap {
  private readonly items: { qp: QueuedPod; seq: number }[] = [];

  constructor(private readonly less: (a: QueuedPod, b: QueuedPod) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(qp: QueuedPod): void {
    const items = this.items;
    items.push({ qp, seq: qp.seq });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!.qp, items[parent]!.qp)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): { qp: QueuedPod; seq: number } | undefined {
    return this.items[0];
  }

  pop(): { qp: QueuedPod; seq: number } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l]!.qp, items[m]!.qp)) m = l;
        if (r < items.length && this.less(items[r]!.qp, items[m]!.qp)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class SchedulingQueue {
  private readonly entries = new Map<string, QueuedPod>();
  private readonly unschedulablePods = new Set<QueuedPod>();
  private readonly active = new Heap((a, b) => a.pod.priority > b.pod.priority || (a.pod.priority === b.pod.priority && a.timestamp < b.timestamp));
  private readonly backoff = new Heap((a, b) => a.backoffUntil < b.backoffUntil);
  private activeCount = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;

  constructor(
    /** The filter plugins interested in each cluster event. */
    private readonly eventPlugins: ReadonlyMap<ClusterEvent, ReadonlySet<string>>,
    opts: QueueOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  /** Pods in activeQ. */
  get activeLength(): number {
    return this.activeCount;
  }

  /** Where a pod is, or undefined when the queue does not hold it. */
  placeOf(key: string): Place | undefined {
    return this.entries.get(key)?.place;
  }

  private move(qp: QueuedPod, place: Place): void {
    if (qp.place === 'active') this.activeCount--;
    if (qp.place === 'unschedulable') this.unschedulablePods.delete(qp);
    if (place === 'unschedulable') this.unschedulablePods.add(qp);
    qp.place = place;
    qp.seq++;
    if (place === 'active') {
      this.activeCount++;
      this.active.push(qp);
      this.wake();
    } else if (place === 'backoff') {
      this.backoff.push(qp);
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** A pending pod appeared: activeQ. A pod already held only gets its newest version. */
  add(pod: PodInfo): void {
    if (this.closed) return;
    const existing = this.entries.get(pod.key);
    if (existing) {
      existing.pod = pod;
      return;
    }
    const qp: QueuedPod = { key: pod.key, pod, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), backoffUntil: 0, unschedulableSince: 0, place: 'active', seq: 0 };
    this.entries.set(pod.key, qp);
    this.move(qp, 'active');
  }

  /**
   * A held pod changed. With `relevant` (its spec or labels changed), an unschedulable pod is
   * retried: activeQ, or backoffQ while backing off.
   */
  update(pod: PodInfo, relevant: boolean): void {
    const qp = this.entries.get(pod.key);
    if (!qp) return this.add(pod);
    qp.pod = pod;
    if (relevant && qp.place === 'unschedulable') this.move(qp, this.backingOff(qp) ? 'backoff' : 'active');
  }

  /** Forgets a pod (deleted, bound, or no longer ours). */
  delete(key: string): void {
    const qp = this.entries.get(key);
    if (!qp) return;
    if (qp.place === 'active') this.activeCount--;
    this.unschedulablePods.delete(qp);
    qp.seq++;
    this.entries.delete(key);
  }

  /** Forgets an in-flight pod that was bound, unless the key now names another pod. */
  done(qp: QueuedPod): void {
    if (this.entries.get(qp.key) === qp) this.delete(qp.key);
  }

  /** The next pod to schedule, now in flight; undefined when activeQ is empty. */
  pop(): QueuedPod | undefined {
    for (;;) {
      const top = this.active.pop();
      if (!top) return undefined;
      const qp = top.qp;
      if (qp.place !== 'active' || qp.seq !== top.seq || this.entries.get(qp.key) !== qp) continue;
      this.move(qp, 'inflight');
      qp.attempts++;
      return qp;
    }
  }

  /** Resolves when activeQ may have a pod (or the queue closed). */
  waitForPod(): Promise<void> {
    if (this.activeCount > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private backoffDuration(qp: QueuedPod): number {
    return Math.min(this.initialBackoffMs * 2 ** Math.max(0, qp.attempts - 1), this.maxBackoffMs);
  }

  private backingOff(qp: QueuedPod): boolean {
    return this.now() < qp.backoffUntil;
  }

  /** An in-flight pod fit nowhere because of `plugins`: it waits for an event they care about. */
  unschedulable(qp: QueuedPod, plugins: ReadonlySet<string>): void {
    if (this.entries.get(qp.key) !== qp) return;
    qp.unschedulablePlugins = plugins;
    qp.backoffUntil = this.now() + this.backoffDuration(qp);
    qp.unschedulableSince = this.now();
    this.move(qp, 'unschedulable');
  }

  /** An in-flight pod failed for another reason (API error, failed binding): retried after its backoff. */
  retry(qp: QueuedPod): void {
    if (this.entries.get(qp.key) !== qp) return;
    qp.unschedulablePlugins = new Set();
    qp.backoffUntil = this.now() + this.backoffDuration(qp);
    this.move(qp, 'backoff');
  }

  /** A cluster event: unschedulable pods rejected by a plugin that cares about it are retried. */
  onEvent(event: ClusterEvent): void {
    if (this.unschedulablePods.size === 0) return;
    const interested = this.eventPlugins.get(event);
    for (const qp of [...this.unschedulablePods]) {
      let relevant = qp.unschedulablePlugins.size === 0;
      if (!relevant && interested) for (const p of qp.unschedulablePlugins) if (interested.has(p)) relevant = true;
      if (relevant) this.move(qp, this.backingOff(qp) ? 'backoff' : 'active');
    }
  }

  /** Moves pods whose backoff ended to activeQ, and retries pods unschedulable for too long. */
  flush(): void {
    const now = this.now();
    for (;;) {
      const top = this.backoff.peek();
      if (!top || (top.qp.place === 'backoff' && top.qp.seq === top.seq && top.qp.backoffUntil > now)) break;
      this.backoff.pop();
      if (top.qp.place === 'backoff' && top.qp.seq === top.seq && this.entries.get(top.qp.key) === top.qp) this.move(top.qp, 'active');
    }
    for (const qp of [...this.unschedulablePods]) {
      if (now - qp.unschedulableSince >= this.maxUnschedulableMs) this.move(qp, this.backingOff(qp) ? 'backoff' : 'active');
    }
  }

  /** Stops handing out pods; waiters resolve. */
  close(): void {
    this.closed = true;
    this.wake();
  }
}

/** The filter plugins interested in each cluster event. */
export function eventPluginsOf(filters: readonly { name: string; events: readonly ClusterEvent[] }[]): Map<ClusterEvent, Set<string>> {
  const out = new Map<ClusterEvent, Set<string>>();
  for (const f of filters) {
    for (const e of f.events) {
      let set = out.get(e);
      if (!set) out.set(e, (set = new Set()));
      set.add(f.name);
    }
  }
  return out;
}
