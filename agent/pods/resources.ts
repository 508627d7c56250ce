/**
 * Requests and limits → cgroup settings, as the kubelet computes them (cm/helpers_linux.go):
 * - a container's cpu request → cpu.shares = max(2, milli*1024/1000) (no request: 2), its cpu
 *   limit → CFS quota milli*100000/1000 µs per 100000 µs period (at least 1000 µs), its memory
 *   limit → memory limit in bytes with swap equal to it (no swap);
 * - the pod cgroup: shares of the pod's effective cpu request; quota and memory limit of the pod's
 *   effective limits, set only when every container declares that limit (Guaranteed pods always
 *   do); BestEffort pods get the minimum shares.
 * The pod's effective amount of a resource is max(sum over containers, max over init containers)
 * plus spec.overhead, as upstream's PodRequests/PodLimits.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { milliValue, parseQuantity } from '../../control-plane/api/quantity.js';
import { qosClassOf } from '../../control-plane/api/qos.js';
import type { PodCgroupLimits } from '../cgroups/index.js';
import type { LinuxResources } from '../runtime/runtime.js';

export const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
export const CPU_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;

export function milliCPUToShares(milli: number): number {
  if (milli <= 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milli * SHARES_PER_CPU) / 1000)));
}

/** 0 = no quota. */
export function milliCPUToQuota(milli: number, periodUs: number = CPU_PERIOD_US): number {
  if (milli <= 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milli * periodUs) / 1000));
}

type ResourceList = Record<string, string | number> | undefined;

const cpuMilli = (list: ResourceList) => (list?.cpu !== undefined ? milliValue(list.cpu) : 0);
const bytes = (list: ResourceList, name: string) => (list?.[name] !== undefined ? Math.ceil(parseQuantity(list[name]!)) : 0);

/** The cgroup settings of one container. */
export function containerResources(container: Container): LinuxResources {
  const { requests, limits } = container.resources ?? {};
  const memory = bytes(limits as ResourceList, 'memory');
  return {
    cpuShares: milliCPUToShares(cpuMilli(requests as ResourceList)),
    cpuQuotaUs: milliCPUToQuota(cpuMilli(limits as ResourceList)),
    cpuPeriodUs: CPU_PERIOD_US,
    memoryLimitBytes: memory,
    memorySwapLimitBytes: memory,
  };
}

/** The pod's effective amount of a resource (init containers: max; containers: sum; plus overhead). */
function effective(pod: Pod, kind: 'requests' | 'limits', amount: (list: ResourceList) => number): number {
  const spec = pod.spec;
  const sum = (spec?.containers ?? []).reduce((acc, c) => acc + amount(c.resources?.[kind] as ResourceList), 0);
  const maxInit = (spec?.initContainers ?? []).reduce((acc, c) => Math.max(acc, amount(c.resources?.[kind] as ResourceList)), 0);
  return Math.max(sum, maxInit) + amount(spec?.overhead as ResourceList);
}

/** Whether every regular container declares a limit for `name`. */
function allLimit(pod: Pod, name: string): boolean {
  const containers = pod.spec?.containers ?? [];
  return containers.length > 0 && containers.every((c) => {
    const limit = (c.resources?.limits as ResourceList)?.[name];
    return limit !== undefined && parseQuantity(limit) > 0;
  });
}

/** The pod cgroup's limits. */
export function podCgroupLimits(pod: Pod): PodCgroupLimits {
  const qos = qosClassOf(pod.spec);
  if (qos === 'BestEffort') return { cpuShares: MIN_SHARES, cpuQuotaUs: 0, cpuPeriodUs: CPU_PERIOD_US, memoryLimitBytes: 0 };
  const guaranteed = qos === 'Guaranteed';
  const cpuLimited = guaranteed || allLimit(pod, 'cpu');
  const memoryLimited = guaranteed || allLimit(pod, 'memory');
  return {
    cpuShares: milliCPUToShares(effective(pod, 'requests', cpuMilli)),
    cpuQuotaUs: cpuLimited ? milliCPUToQuota(effective(pod, 'limits', cpuMilli)) : 0,
    cpuPeriodUs: CPU_PERIOD_US,
    memoryLimitBytes: memoryLimited ? effective(pod, 'limits', (l) => bytes(l, 'memory')) : 0,
  };
}

/** The pod's effective memory limit in bytes; 0 when some container is unlimited. */
export function podMemoryLimit(pod: Pod): number {
  return allLimit(pod, 'memory') ? effective(pod, 'limits', (l) => bytes(l, 'memory')) : 0;
}
