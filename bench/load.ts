/**
 * Load generators. Both are bounded in count and in time: they never start more than the calls
 * they were given, and stop waiting for stragglers at a deadline (those count as errors).
 */
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  /** Latency of every call that succeeded, in ms. */
  latencies: number[];
  /** Calls that failed, were not started before the deadline, or had not finished by it. */
  errors: number;
  firstError?: string;
  /** From the first send to the last completion, in ms. */
  elapsedMs: number;
}

/** Successful calls per second of `r`. */
export function throughput(r: LoadResult): number {
  return r.elapsedMs > 0 ? (r.latencies.length / r.elapsedMs) * 1000 : 0;
}

/** Records outcomes until closed; what arrives after close() is ignored. */
class Recorder {
  readonly latencies: number[] = [];
  errors = 0;
  firstError?: string;
  private readonly start = performance.now();
  private last = this.start;
  private closed = false;

  ok(ms: number): void {
    if (this.closed) return;
    this.latencies.push(ms);
    this.last = performance.now();
  }

  fail(err: unknown): void {
    if (this.closed) return;
    this.errors++;
    this.firstError ??= err instanceof Error ? err.message : String(err);
    this.last = performance.now();
  }

  /** Ends recording; `unfinished` calls count as errors. */
  close(unfinished: number): LoadResult {
    this.closed = true;
    if (unfinished > 0) this.firstError ??= `${unfinished} calls did not finish before the deadline`;
    return { latencies: this.latencies, errors: this.errors + unfinished, firstError: this.firstError, elapsedMs: this.last - this.start };
  }
}

/**
 * Closed loop: calls `op(i)` for i = 0..count-1 with at most `concurrency` calls in flight; latency
 * is each call's own duration. No call starts after `maxMs`; calls not started then count as errors.
 */
export async function closedLoop(count: number, concurrency: number, maxMs: number, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const rec = new Recorder();
  const deadline = performance.now() + maxMs;
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        rec.ok(performance.now() - t0);
      } catch (err) {
        rec.fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return rec.close(count - next);
}

export interface OpenLoopOptions {
  /** Calls per second. */
  rate: number;
  /** How long to keep sending, in ms: rate × durationMs / 1000 calls in all. */
  durationMs: number;
  /** How long after the last send to wait for calls still in flight, in ms. */
  drainMs: number;
}

/**
 * Open loop: call i is due at start + i / rate seconds and a 1 ms timer sends every call that is
 * due, whether or not earlier calls have answered. Latency counts from the due time, not the actual
 * send, so a stalled client or server is charged the whole wait (no coordinated omission).
 */
export async function openLoop(opts: OpenLoopOptions, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const rec = new Recorder();
  const start = performance.now();
  let sent = 0;
  let finished = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const settle = () => {
    if (++finished === total) allDone();
  };
  const send = (i: number, due: number) => {
    op(i).then(
      () => rec.ok(performance.now() - due),
      (err) => rec.fail(err),
    ).finally(settle);
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        send(sent, start + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.drainMs)))]);
  clearTimeout(timer);
  return rec.close(total - finished);
}
