import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Cleanup } from './cleanup.js';
import { parseSteps, renderClusterResults, runClusterBenchmark } from './cluster.js';

describe('parseSteps', () => {
  it('reads the finished steps of tug cluster create, without the cluster name', () => {
    const output = ` • Creating network tugboat-b-1 …
 ✓ Creating network tugboat-b-1 (0.2 s)
   a note (1.0 s)
 ✓ Waiting for 3 nodes to be Ready (4.1 s)
 ✗ Something (failed after 2.0 s)
`;
    expect(parseSteps(output, 'b-1')).toEqual([
      { step: 'Creating network tugboat-NAME', ms: 200 },
      { step: 'Waiting for 3 nodes to be Ready', ms: 4100 },
    ]);
  });
});

/** The whole benchmark at toy scale: one measured 3-node cluster and one 64 MiB transfer per path (needs `npm run build`, root and Docker; builds the node image when missing). */
describe('runClusterBenchmark', () => {
  it('times create and delete, renders the section and leaves no cluster behind', async () => {
    const messages: string[] = [];
    const cleanup = new Cleanup((m) => messages.push(m));
    try {
      const r = await runClusterBenchmark({ nodes: 3, runs: 1, warmup: 0, throughput: { bytes: 64 << 20, rounds: 1 } }, cleanup, (m) => messages.push(m));
      expect([r.create.count, r.delete.count]).toEqual([1, 1]);
      expect(r.create.p50).toBeGreaterThan(0);
      expect(r.phases.map((p) => p.step)).toContain('Waiting for 3 nodes to be Ready');
      expect([r.throughput!.sameNode.count, r.throughput!.crossNode.count]).toEqual([1, 1]);
      expect(r.throughput!.crossNode.p50).toBeGreaterThan(0);
      const md = renderClusterResults(r, { command: 'cmd', machine: 'machine', date: 'date', load: 'load' });
      expect(md).toMatch(/\| `tug cluster create --nodes 3` → all nodes Ready \(CLI wall time\) \| 1 \|/);
      expect(md).toMatch(/\| across nodes \(host-gw route\) \| 1 \| \d+ MB\/s \|/);
    } finally {
      await cleanup.run();
    }
    expect(messages.filter((m) => m.startsWith('cleanup'))).toEqual([]);
    expect(execFileSync('docker', ['ps', '-aq', '--filter', 'label=dev.tugboat.cluster', '--filter', 'name=bench-'], { encoding: 'utf8' }).trim()).toBe('');
  }, 600_000);
});
