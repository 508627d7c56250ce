import { describe, expect, it } from 'vitest';
import { closedLoop, openLoop, throughput } from './load.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('closedLoop', () => {
  it('calls every index once with at most `concurrency` in flight', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    const r = await closedLoop(20, 3, 10_000, async (i) => {
      most = Math.max(most, ++inFlight);
      seen.push(i);
      await sleep(2);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(r.latencies).toHaveLength(20);
    expect(r.errors).toBe(0);
    expect(throughput(r)).toBeGreaterThan(0);
  });

  it('counts failures and calls never started before the deadline as errors', async () => {
    const r = await closedLoop(100, 1, 30, async (i) => {
      if (i === 0) throw new Error('first fails');
      await sleep(5);
    });
    expect(r.errors).toBeGreaterThan(90);
    expect(r.errors + r.latencies.length).toBe(100);
    expect(r.firstError).toBe('first fails');
  });
});

describe('openLoop', () => {
  it('sends rate × duration calls on schedule without waiting for answers', async () => {
    const sentAt: number[] = [];
    const start = performance.now();
    const r = await openLoop({ rate: 200, durationMs: 250, drainMs: 1000 }, async () => {
      sentAt.push(performance.now() - start);
      await sleep(50); // slower than the interval: calls must overlap
    });
    expect(sentAt).toHaveLength(50);
    expect(sentAt[49]!).toBeGreaterThanOrEqual(240);
    expect(sentAt[49]!).toBeLessThan(1000);
    expect(r.latencies).toHaveLength(50);
    expect(Math.min(...r.latencies)).toBeGreaterThanOrEqual(49);
  });

  it('charges a stalled sender the time since each call was due', async () => {
    let stalled = false;
    const r = await openLoop({ rate: 1000, durationMs: 20, drainMs: 1000 }, async () => {
      if (!stalled) {
        stalled = true;
        const until = performance.now() + 30; // block the event loop: later calls go out late
        while (performance.now() < until);
      }
    });
    expect(r.latencies).toHaveLength(20);
    expect(Math.max(...r.latencies)).toBeGreaterThan(15);
  });

  it('stops waiting at the drain deadline and counts calls still out as errors', async () => {
    const r = await openLoop({ rate: 100, durationMs: 50, drainMs: 50 }, (i) => (i === 0 ? new Promise<void>(() => undefined) : Promise.resolve()));
    expect(r.errors).toBe(1);
    expect(r.latencies).toHaveLength(4);
    expect(r.firstError).toMatch(/did not finish/);
  });
});
