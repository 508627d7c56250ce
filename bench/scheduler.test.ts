import { describe, expect, it } from 'vitest';
import { Cleanup } from './cleanup.js';
import { DEFAULT_SCHEDULER_BENCH, renderSchedulerResults, runSchedulerBenchmark } from './scheduler.js';

/** The whole benchmark at toy scale against real processes (needs `npm run build`). */
describe('runSchedulerBenchmark', () => {
  it('schedules every pod on simulated nodes, renders the section and stops everything', async () => {
    const messages: string[] = [];
    const cleanup = new Cleanup((m) => messages.push(m));
    let pids: number[] = [];
    try {
      const r = await runSchedulerBenchmark({ ...DEFAULT_SCHEDULER_BENCH, nodes: 20, pods: 100, concurrency: 4, replicas: 10 }, cleanup, (m) => messages.push(m));
      pids = Object.values(r.monitor.pids);
      expect([r.pods.bound, r.pods.creates.errors, r.pods.latency.count]).toEqual([100, 0, 100]);
      expect([r.backlog.bound, r.backlog.creates.errors]).toEqual([100, 0]);
      expect(r.backlog.cpuPerPodMs).toBeGreaterThan(0);
      expect(r.deployment.bound).toBe(10);
      expect(r.perNode.max).toBeGreaterThan(0);
      const text = renderSchedulerResults(r, { command: 'test', machine: 'test machine', date: 'today', load: '0' });
      expect(text).toContain('pods scheduled per second');
      expect(text).toContain('100 of 100');
    } finally {
      await cleanup.run();
    }
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(messages.filter((m) => m.startsWith('cleanup'))).toEqual([]);
  });
});
