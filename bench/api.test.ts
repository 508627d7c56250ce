import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_API_BENCH, renderApiResults, runApiBenchmark, type ApiBenchOptions } from './api.js';
import { Cleanup } from './cleanup.js';

/** The whole benchmark at toy scale against real processes (needs `npm run build`). */
const TINY: ApiBenchOptions = {
  ...DEFAULT_API_BENCH,
  pods: 40,
  namespaces: 2,
  concurrency: 4,
  getRate: 100,
  getSeconds: 1,
  warmupSeconds: 0.2,
  patches: 20,
  puts: 10,
  listRepeats: 2,
  watchers: 3,
  watchWrites: 10,
  watchWriteRate: 50,
};

describe('runApiBenchmark', () => {
  it('measures every operation against a real server and stops everything afterwards', async () => {
    const messages: string[] = [];
    const cleanup = new Cleanup((m) => messages.push(m));
    let pids: number[] = [];
    try {
      const r = await runApiBenchmark(TINY, cleanup, (m) => messages.push(m));
      pids = Object.values(r.monitor.pids);
      expect(r.rows.map((x) => [x.summary.count, x.result.errors])).toEqual([
        [40, 0], // create
        [100, 0], // GET
        [2, 0], // LIST
        [1, 0], // Table
        [20, 0], // PATCH
        [10, 0], // PUT
        [10, 0], // PATCH during the watch
        [30, 0], // every (write, watcher) pair
      ]);
      expect(r.baselines.map((b) => b.redis.count)).toEqual([100, 2]);
      expect(r.rss.afterSeed).toBeGreaterThan(0);
      expect(r.details.join('\n')).toContain('40 items');
      expect(r.details.join('\n')).toContain('between 10 and 10 of 10 events');
      const md = renderApiResults(r, { command: 'cmd', machine: 'machine', date: 'date', load: 'load' });
      expect(md).toContain('| watch delivery: write → event, 3 watchers × 10 writes | 30 | 0 |');
      expect(md.split('\n').filter((l) => l.startsWith('| ')).length).toBeGreaterThan(20);
    } finally {
      await cleanup.run();
    }
    expect(messages.filter((m) => m.startsWith('cleanup'))).toEqual([]);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
