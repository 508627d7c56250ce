import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuSeconds, ProcessMonitor, rssBytes } from './procfs.js';

describe('procfs', () => {
  it('reads RSS and CPU time of a live process', () => {
    expect(rssBytes(process.pid)).toBeGreaterThan(10 * 2 ** 20);
    expect(cpuSeconds(process.pid)).toBeGreaterThan(0);
  });

  it('throws for a process that is gone', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(() => rssBytes(child.pid!)).toThrow();
  });

  it('splits CPU time into phases and tracks peaks', async () => {
    const m = new ProcessMonitor({ test: process.pid }, 'self');
    m.start(5);
    const until = Date.now() + 200;
    while (Date.now() < until) JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ i })));
    const busy = m.mark('busy', 10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idle = m.mark('idle');
    m.stop();
    expect(busy.ops).toBe(10);
    expect(busy.usage.test!.cpuCores).toBeGreaterThan(0.2);
    expect(idle.usage.test!.cpuCores).toBeLessThan(busy.usage.test!.cpuCores);
    expect(m.peakRss('test')).toBeGreaterThanOrEqual(busy.usage.test!.endRss);
    expect(Object.keys(busy.usage).sort()).toEqual(['self', 'test']);
  });
});
