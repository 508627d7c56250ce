// The cgroup v2 code path against a fake unified hierarchy in a temporary directory (this host
// runs v1). A plain directory does not create control files nor let rmdir take them along, so
// the tests read what was written and delete files before removal, as cgroupfs would.
import { mkdtemp, readdir, readFile, rm, unlink, writeFile, mkdir, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPodCgroups, detectCgroupVersion, type PodCgroups } from './index.js';
import { cpuSharesToWeight } from './v2.js';

const MiB = 1024 * 1024;
const logger = pino({ level: 'silent' });

/** Deletes the regular files of a tree: what cgroupfs does itself when a directory goes. */
async function dropFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await dropFiles(p);
    else await unlink(p);
  }
}

describe('cgroup v2 pod cgroups (fake root)', () => {
  let root: string;
  let cgroups: PodCgroups;
  const read = (rel: string, file: string) => readFile(path.join(root, rel, file), 'utf8');

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tug-cgroup2-'));
    await writeFile(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    await writeFile(path.join(root, 'cgroup.subtree_control'), '');
    cgroups = await createPodCgroups({ root, logger });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is detected from cgroup.controllers at the root', async () => {
    expect(await detectCgroupVersion(root)).toBe(2);
    expect(cgroups.version).toBe(2);
  });

  it('enables the controllers on every level down to the pod and writes the limits', async () => {
    const rel = await cgroups.ensurePod('u-1', 'Burstable', { cpuShares: 512, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, memoryLimitBytes: 64 * MiB });
    expect(rel).toBe('/tugpods/burstable/podu-1');
    for (const level of ['', 'tugpods', 'tugpods/burstable', 'tugpods/burstable/podu-1']) {
      expect(await read(level, 'cgroup.subtree_control'), level).toBe('+cpuset +cpu +io +memory +pids');
    }
    expect(await read(rel, 'cpu.weight')).toBe(String(cpuSharesToWeight(512)));
    expect(await read(rel, 'cpu.max')).toBe('50000 100000');
    expect(await read(rel, 'memory.max')).toBe(String(64 * MiB));
    expect(await read(rel, 'memory.swap.max')).toBe('0');
  });

  it('writes "max" for no CPU or memory limit, and the least weight for the BestEffort group', async () => {
    const rel = await cgroups.ensurePod('u-2', 'BestEffort', { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 });
    expect(rel).toBe('/tugpods/besteffort/podu-2');
    expect(await read(rel, 'cpu.max')).toBe('max 100000');
    expect(await read(rel, 'memory.max')).toBe('max');
    expect(await read(rel, 'cpu.weight')).toBe('1');
    expect(await read('tugpods/besteffort', 'cpu.weight')).toBe('1');
  });

  it('puts Guaranteed pods directly under tugpods', async () => {
    expect(await cgroups.ensurePod('u-3', 'Guaranteed', { cpuShares: 1024, cpuQuotaUs: 100_000, cpuPeriodUs: 100_000, memoryLimitBytes: MiB })).toBe('/tugpods/podu-3');
  });

  it('enables only the controllers the root offers, and refuses without memory', async () => {
    await writeFile(path.join(root, 'cgroup.controllers'), 'cpu pids\n');
    const limits = { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 };
    await expect(cgroups.ensurePod('u-4', 'Burstable', limits)).rejects.toThrow(/lacks the memory controller/);
    await writeFile(path.join(root, 'cgroup.controllers'), 'cpu memory\n');
    await cgroups.ensurePod('u-4', 'Burstable', limits);
    expect(await read('tugpods', 'cgroup.subtree_control')).toBe('+cpu +memory');
  });

  it('removes the pod and its container cgroups, children first, and tolerates absence', async () => {
    const rel = await cgroups.ensurePod('u-5', 'Burstable', { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 });
    await mkdir(path.join(root, rel, 'container-a', 'nested'), { recursive: true });
    await dropFiles(path.join(root, rel));
    await cgroups.removePod('u-5', 'Burstable');
    await expect(access(path.join(root, rel))).rejects.toThrow(/ENOENT/);
    await access(path.join(root, 'tugpods/burstable'));
    await cgroups.removePod('u-5', 'Burstable');
  });
});

describe('cpuSharesToWeight', () => {
  it.each([
    [1, 1],
    [2, 1],
    [512, 20],
    [1024, 39],
    [262_144, 10_000],
    [1_000_000, 10_000],
  ])('%i shares → weight %i', (shares, weight) => {
    expect(cpuSharesToWeight(shares)).toBe(weight);
  });
});
