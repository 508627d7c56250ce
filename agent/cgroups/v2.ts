/**
 * Pod cgroups on cgroup v2 (one unified hierarchy): the controllers are enabled in
 * cgroup.subtree_control of every level down to the pod (so the engine's container cgroups below
 * it get them too), then cpu.weight, cpu.max, memory.max and memory.swap.max (no swap) are written.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { ensureDir, levels, readValue, removeTree, writeValue } from './cgroupfs.js';
import { MIN_CPU_SHARES, PODS_CGROUP, podCgroupPath, type PodCgroupLimits, type PodCgroups, type QOSClass } from './pod-cgroups.js';

const CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
const REQUIRED = ['cpu', 'memory'];
const DEFAULT_PERIOD_US = 100_000;
const MAX_SHARES = 262_144;

/** cpu.shares (2..262144) to cpu.weight (1..10000), the conversion runc and kubelet use. */
export function cpuSharesToWeight(shares: number): number {
  const s = Math.min(MAX_SHARES, Math.max(MIN_CPU_SHARES, shares));
  return 1 + Math.floor(((s - MIN_CPU_SHARES) * 9999) / (MAX_SHARES - MIN_CPU_SHARES));
}

/** memory.swap.max exists only where the kernel accounts swap. */
async function disableSwap(dir: string, log: Logger): Promise<void> {
  try {
    await writeValue(dir, 'memory.swap.max', 0);
  } catch (err) {
    const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
    if (!['ENOENT', 'EACCES', 'EPERM'].includes(cause?.code ?? '')) throw err;
    log.debug({ dir }, 'no memory.swap.max: swap not accounted');
  }
}

export function createV2PodCgroups(root: string, log: Logger): PodCgroups {
  return {
    version: 2,

    async ensurePod(podUid: string, qos: QOSClass, limits: PodCgroupLimits): Promise<string> {
      const rel = podCgroupPath(podUid, qos);
      const available = (await readValue(root, 'cgroup.controllers')).split(/\s+/);
      const missing = REQUIRED.filter((c) => !available.includes(c));
      if (missing.length > 0) throw new Error(`cgroup v2 at ${root} lacks the ${missing.join(', ')} controller(s)`);
      const enable = CONTROLLERS.filter((c) => available.includes(c)).map((c) => `+${c}`).join(' ');
      let dir = root;
      for (const child of levels(root, rel)) {
        await writeValue(dir, 'cgroup.subtree_control', enable);
        await ensureDir(child);
        dir = child;
      }
      await writeValue(dir, 'cgroup.subtree_control', enable);
      if (qos === 'BestEffort') await writeValue(path.join(root, PODS_CGROUP, 'besteffort'), 'cpu.weight', 1);
      if (limits.cpuShares > 0) await writeValue(dir, 'cpu.weight', cpuSharesToWeight(limits.cpuShares));
      const period = limits.cpuPeriodUs > 0 ? limits.cpuPeriodUs : DEFAULT_PERIOD_US;
      await writeValue(dir, 'cpu.max', `${limits.cpuQuotaUs > 0 ? limits.cpuQuotaUs : 'max'} ${period}`);
      await writeValue(dir, 'memory.max', limits.memoryLimitBytes > 0 ? limits.memoryLimitBytes : 'max');
      await disableSwap(dir, log);
      log.debug({ cgroup: rel, limits }, 'pod cgroup ensured');
      return rel;
    },

    async removePod(podUid: string, qos: QOSClass): Promise<void> {
      const rel = podCgroupPath(podUid, qos);
      await removeTree(path.join(root, rel));
      log.debug({ cgroup: rel }, 'pod cgroup removed');
    },
  };
}
