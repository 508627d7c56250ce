import type { Container } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { containerResources, milliCPUToQuota, milliCPUToShares, podCgroupLimits } from './resources.js';
import { pod } from './testing/fixtures.js';

const GiB = 1024 ** 3;
const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>): Container => ({ name, image: 'b', resources: { requests, limits } });

describe('resources → cgroups', () => {
  it.each([
    [0, 2],
    [1, 2],
    [2, 2],
    [100, 102],
    [250, 256],
    [1000, 1024],
    [2000, 2048],
    [1_000_000, 262_144],
  ])('cpu request %d m → %d shares', (milli, shares) => expect(milliCPUToShares(milli)).toBe(shares));

  it.each([
    [0, 0],
    [5, 1000],
    [250, 25_000],
    [4000, 400_000],
  ])('cpu limit %d m → quota %d µs per 100 ms', (milli, quota) => expect(milliCPUToQuota(milli)).toBe(quota));

  it('maps a container: shares from the request, quota from the limit, memory limit without swap', () => {
    expect(containerResources(c('a', { cpu: '2', memory: '8Gi' }, { cpu: '4', memory: '16Gi' }))).toEqual({
      cpuShares: 2048,
      cpuQuotaUs: 400_000,
      cpuPeriodUs: 100_000,
      memoryLimitBytes: 16 * GiB,
      memorySwapLimitBytes: 16 * GiB,
    });
    expect(containerResources(c('b'))).toEqual({ cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0, memorySwapLimitBytes: 0 });
  });

  it.each([
    {
      name: 'Guaranteed: sums of limits',
      containers: [c('a', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), c('b', { cpu: '500m', memory: '512Mi' }, { cpu: '500m', memory: '512Mi' })],
      want: { cpuShares: 1536, cpuQuotaUs: 150_000, memoryLimitBytes: 1.5 * GiB },
    },
    {
      name: 'Burstable with every limit set: quota and memory',
      containers: [c('a', { cpu: '2', memory: '8Gi' }, { cpu: '4', memory: '16Gi' })],
      want: { cpuShares: 2048, cpuQuotaUs: 400_000, memoryLimitBytes: 16 * GiB },
    },
    {
      name: 'Burstable with one container unlimited: shares only',
      containers: [c('a', { cpu: '1' }, { cpu: '1', memory: '1Gi' }), c('b', { cpu: '100m' })],
      want: { cpuShares: 1126, cpuQuotaUs: 0, memoryLimitBytes: 0 },
    },
    { name: 'BestEffort: minimum shares', containers: [c('a')], want: { cpuShares: 2, cpuQuotaUs: 0, memoryLimitBytes: 0 } },
  ])('pod cgroup, $name', ({ containers, want }) => {
    expect(podCgroupLimits(pod({ containers }))).toEqual({ ...want, cpuPeriodUs: 100_000 });
  });

  it('takes the larger of the containers sum and the biggest init container', () => {
    const p = pod({
      initContainers: [c('init', { cpu: '3', memory: '4Gi' }, { cpu: '3', memory: '4Gi' })],
      containers: [c('a', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })],
    });
    expect(podCgroupLimits(p)).toEqual({ cpuShares: 3072, cpuQuotaUs: 300_000, cpuPeriodUs: 100_000, memoryLimitBytes: 4 * GiB });
  });
});
