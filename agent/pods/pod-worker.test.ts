import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PodWorkers, type SyncResult } from './pod-worker.js';

const log = pino({ level: 'silent' });
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function recorder(results: (uid: string, n: number) => SyncResult | Promise<SyncResult> = () => ({})) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const gates: (() => void)[] = [];
  const sync = async (uid: string) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    calls.push(uid);
    await new Promise<void>((r) => gates.push(r));
    running--;
    return results(uid, calls.filter((c) => c === uid).length);
  };
  return { calls, gates, sync, max: () => maxRunning };
}

describe('pod workers', () => {
  it('runs one sync at a time per pod and coalesces requests made during it into one more', async () => {
    const r = recorder();
    const w = new PodWorkers(r.sync, log);
    w.wake('a');
    w.wake('a');
    w.wake('a');
    w.wake('b');
    await tick();
    expect(r.calls).toEqual(['a', 'b']);
    r.gates.shift()!();
    await tick();
    expect(r.calls).toEqual(['a', 'b', 'a']);
    r.gates.splice(0).forEach((g) => g());
    await tick();
    r.gates.splice(0).forEach((g) => g());
    await tick();
    expect(r.calls).toEqual(['a', 'b', 'a']);
    await w.stop();
  });

  it('requeues after the asked delay, retries failures with back-off, forgets pods that are done', async () => {
    const calls: string[] = [];
    const w = new PodWorkers(async (uid) => {
      calls.push(uid);
      if (uid === 'fails') throw new Error('boom');
      return uid === 'later' ? { requeueAfterMs: 20 } : { done: true };
    }, log);
    w.wake('later');
    w.wake('gone');
    w.wake('fails');
    await tick(75);
    // 'later' every 20 ms; 'fails' waits its 1 s retry; 'gone' is forgotten.
    expect(calls.filter((c) => c === 'later').length).toBeGreaterThanOrEqual(3);
    expect(calls.filter((c) => c === 'fails')).toHaveLength(1);
    expect(w.uids().sort()).toEqual(['fails', 'later']);
    await w.stop();
  });

  it('keeps the earliest of several timers', async () => {
    const r = recorder();
    const w = new PodWorkers(async (uid) => {
      r.calls.push(uid);
      return {};
    }, log);
    w.wakeAfter('a', 30);
    w.wakeAfter('a', 10_000);
    await tick(60);
    expect(r.calls).toEqual(['a']);
    await w.stop();
  });

  it('stops: no new syncs, waits for the running one', async () => {
    const r = recorder();
    const w = new PodWorkers(r.sync, log);
    w.wake('a');
    await tick();
    const stopped = w.stop();
    w.wake('b');
    r.gates.shift()!();
    await stopped;
    expect(r.calls).toEqual(['a']);
    expect(r.max()).toBe(1);
  });
});
