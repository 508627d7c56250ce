import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup } from './cleanup.js';
import { renderProxyResults, runProxyBenchmark, type ProxyBenchResults } from './proxy.js';

// A small run of the proxy benchmark on real iptables and namespaces: it completes, measures both
// paths without errors, and leaves no chain or namespace behind.
const run = promisify(execFile);
const cleanup = new Cleanup(() => undefined);
afterAll(() => cleanup.run());

describe('proxy benchmark', () => {
  let results: ProxyBenchResults;

  it('measures rule syncs and both data paths', async () => {
    results = await runProxyBenchmark({ services: 30, endpointsPerService: 3, changes: 3, requests: 60, rounds: 2, concurrency: 4 }, cleanup, () => undefined);
    expect(results.rules.chains).toBeGreaterThan(30 * 4);
    expect(results.changeSyncMs.count).toBe(3);
    expect(results.firstSyncMs).toBeGreaterThan(0);
    for (const path of [results.direct, results.clusterIP]) expect(path).toMatchObject({ requests: 120, errors: 0 });
    expect(results.clusterIP.rps).toBeGreaterThan(0);
  }, 120_000);

  it('renders its section', () => {
    const body = renderProxyResults(results, { command: 'npm run bench', machine: 'm', date: 'd', load: 'l' });
    expect(body).toContain('| sync after one endpoint change (p50 / max of 3) |');
    expect(body).toContain('| through the ClusterIP | 120 | 0 |');
  });

  it('leaves no rule behind', async () => {
    await cleanup.run();
    const save = (await run('iptables-save')).stdout;
    expect(save).not.toMatch(/TP[0-9A-F]{4}-/);
  });
});
