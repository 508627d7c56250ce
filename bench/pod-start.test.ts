import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cleanup } from './cleanup.js';
import { benchPod, conditionTrue, DEFAULT_POD_START_BENCH, renderPodStartResults, runPodStartBenchmark, type PodStartBenchOptions } from './pod-start.js';

/** The whole benchmark at toy scale against real processes and Docker (needs `npm run build`). */
const TINY: PodStartBenchOptions = { ...DEFAULT_POD_START_BENCH, starts: 2, warmup: 1, runningPods: 4, fillConcurrency: 2, settleSeconds: 0, idleSeconds: 1 };

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' });

describe('pod start benchmark', () => {
  it('builds single-container pods bound to the node', () => {
    expect(benchPod('pod-001', 'node-a')).toMatchObject({
      metadata: { name: 'pod-001', namespace: 'pod-start' },
      spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'tugboat/busybox:test', command: ['sleep', '3600'] }] },
    });
  });

  it.each([
    [{ status: { conditions: [{ type: 'Ready', status: 'True' }] } }, true],
    [{ status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } }, false],
    [{ status: {} }, false],
    [undefined, false],
  ])('conditionTrue(%j, Ready) is %s', (obj, want) => {
    expect(conditionTrue(obj, 'Ready')).toBe(want);
  });

  it('measures pods against docker run on a real agent and removes everything afterwards', async () => {
    const messages: string[] = [];
    const cleanup = new Cleanup((m) => messages.push(m));
    let r;
    try {
      r = await runPodStartBenchmark(TINY, cleanup, (m) => messages.push(m));
      expect([r.podStart.count, r.dockerRun.count, r.errors]).toEqual([2, 2, 0]);
      expect(r.podStart.p50).toBeGreaterThan(0);
      expect(r.readyAtEnd).toBe(4);
      expect(r.agentRss.idle).toBeGreaterThan(0);
      expect(docker('ps', '-q', '--filter', `label=${r.leftovers.labelPrefix}io.tugboat.kind=container`).trim().split('\n')).toHaveLength(4);
      const md = renderPodStartResults(r, { command: 'cmd', machine: 'machine', date: 'date', load: 'load' });
      expect(md).toMatch(/\| pod start: create → Ready seen by a watch \| 2 \|/);
      expect(md).toMatch(/\| baseline: `docker run -d` \(CLI wall time\) \| 2 \|/);
      expect(md).toContain('Pods Ready at the end of the idle measurement: 4 of 4.');
    } finally {
      await cleanup.run();
    }
    expect(messages.filter((m) => m.startsWith('cleanup'))).toEqual([]);
    for (const pid of Object.values(r!.monitor.pids)) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(docker('ps', '-aq', '--filter', `label=${r!.leftovers.labelPrefix}io.tugboat.kind`).trim()).toBe('');
    expect(docker('ps', '-aq', '--filter', `label=${r!.leftovers.baselineLabel}`).trim()).toBe('');
    expect(() => execFileSync('ip', ['link', 'show', r!.leftovers.bridge], { stdio: 'ignore' })).toThrow();
  }, 180_000);
});
