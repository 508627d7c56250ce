/**
 * Pod-level cgroups: every container of a pod lives under one cgroup that carries the pod's
 * limits, grouped by QoS class like kubelet's kubepods tree:
 *
 *   tugpods/pod<uid>               Guaranteed
 *   tugpods/burstable/pod<uid>     Burstable
 *   tugpods/besteffort/pod<uid>    BestEffort (the besteffort group gets the least CPU weight)
 *
 * The agent gives ensurePod()'s answer to the runtime as the sandbox's cgroup parent; Docker's
 * cgroupfs driver creates each container's cgroup below it. cgroup v1 (one hierarchy per
 * controller) and v2 (unified) are both handled (v1.ts, v2.ts; index.ts picks one).
 */
import path from 'node:path';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** Pod-level limits, already summed over the pod's containers. */
export interface PodCgroupLimits {
  /** cgroup v1 cpu.shares (v2 weight is derived); 0 = leave the default. */
  cpuShares: number;
  /** CFS quota per period in microseconds; 0 = unlimited. */
  cpuQuotaUs: number;
  cpuPeriodUs: number;
  /** 0 = unlimited. */
  memoryLimitBytes: number;
}

export interface PodCgroups {
  readonly version: 1 | 2;
  /**
   * Creates the pod's cgroup (and its QoS parents) and writes `limits` to it; returns the cgroup
   * parent to give Docker, e.g. `/tugpods/burstable/pod<uid>`. Idempotent: calling it again
   * rewrites the limits (which fails when the pod already uses more than a new memory limit).
   */
  ensurePod(podUid: string, qos: QOSClass, limits: PodCgroupLimits): Promise<string>;
  /**
   * Removes the pod's cgroup, children first, in every hierarchy (the engine leaves the pod's
   * directories behind in controllers it used). Missing directories are fine; a cgroup that still
   * holds processes makes it reject (EBUSY): stop the pod's containers first.
   */
  removePod(podUid: string, qos: QOSClass): Promise<void>;
}

export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

/** Top of the tree every pod cgroup lives in. */
export const PODS_CGROUP = 'tugpods';

/** Minimum cpu.shares the kernel accepts, and what BestEffort gets (as upstream). */
export const MIN_CPU_SHARES = 2;

/** The pod's cgroup path relative to a hierarchy's root, starting with '/'. */
export function podCgroupPath(podUid: string, qos: QOSClass): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(podUid)) throw new Error(`pod uid ${JSON.stringify(podUid)} cannot name a cgroup`);
  const qosDir = qos === 'Guaranteed' ? [] : [qos.toLowerCase()];
  return '/' + path.posix.join(PODS_CGROUP, ...qosDir, `pod${podUid}`);
}
