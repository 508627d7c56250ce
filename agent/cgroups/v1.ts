/**
 * Pod cgroups on cgroup v1: one hierarchy per controller under the root (cpu, cpuacct, cpuset,
 * memory, pids), the pod's path created in each. cpuset directories start empty and admit no task
 * until they get cpus and mems: each level copies its parent's.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensureDir, levels, readValue, removeTree, writeValue } from './cgroupfs.js';
import { MIN_CPU_SHARES, PODS_CGROUP, podCgroupPath, type PodCgroupLimits, type PodCgroups, type QOSClass } from './pod-cgroups.js';

const CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'];
/** Without these the pod's limits cannot be applied. */
const REQUIRED = new Set(['cpu', 'memory']);

async function hierarchyExists(dir: string): Promise<boolean> {
  try {
    await readdir(dir);
    return true;
  } catch {
    return false;
  }
}

async function inheritCpuset(parent: string, dir: string): Promise<void> {
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    if ((await readValue(dir, file)) === '') await writeValue(dir, file, await readValue(parent, file));
  }
}

async function writeLimits(root: string, rel: string, limits: PodCgroupLimits): Promise<void> {
  const cpu = path.join(root, 'cpu', rel);
  if (limits.cpuShares > 0) await writeValue(cpu, 'cpu.shares', Math.max(MIN_CPU_SHARES, limits.cpuShares));
  if (limits.cpuQuotaUs > 0) {
    await writeValue(cpu, 'cpu.cfs_period_us', limits.cpuPeriodUs);
    await writeValue(cpu, 'cpu.cfs_quota_us', limits.cpuQuotaUs);
  } else {
    await writeValue(cpu, 'cpu.cfs_quota_us', -1);
  }
  await writeValue(path.join(root, 'memory', rel), 'memory.limit_in_bytes', limits.memoryLimitBytes > 0 ? limits.memoryLimitBytes : -1);
}

export function createV1PodCgroups(root: string, log: Logger): PodCgroups {
  return {
    version: 1,

    async ensurePod(podUid: string, qos: QOSClass, limits: PodCgroupLimits): Promise<string> {
      const rel = podCgroupPath(podUid, qos);
      for (const controller of CONTROLLERS) {
        const base = path.join(root, controller);
        if (!(await hierarchyExists(base))) {
          if (REQUIRED.has(controller)) throw new Error(`cgroup v1 controller ${controller} is not mounted at ${base}`);
          continue;
        }
        let parent = base;
        for (const dir of levels(base, rel)) {
          await ensureDir(dir);
          if (controller === 'cpuset') await inheritCpuset(parent, dir);
          parent = dir;
        }
      }
      if (qos === 'BestEffort') await writeValue(path.join(root, 'cpu', PODS_CGROUP, 'besteffort'), 'cpu.shares', MIN_CPU_SHARES);
      await writeLimits(root, rel, limits);
      log.debug({ cgroup: rel, limits }, 'pod cgroup ensured');
      return rel;
    },

    async removePod(podUid: string, qos: QOSClass): Promise<void> {
      const rel = podCgroupPath(podUid, qos);
      // Every hierarchy: the engine creates the pod's path in controllers this code never touches.
      for (const entry of await readdir(root, { withFileTypes: true })) {
        if (entry.isDirectory() || entry.isSymbolicLink()) await removeTree(path.join(root, entry.name, rel));
      }
      log.debug({ cgroup: rel }, 'pod cgroup removed');
    },
  };
}
