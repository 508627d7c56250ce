// Pod cgroups on this host's real cgroup v1 hierarchies, with a Docker container placed under one.
import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../runtime/docker/images.js';
import { createPodCgroups, detectCgroupVersion, podCgroupPath, type PodCgroups, type QOSClass } from './index.js';

const ROOT = '/sys/fs/cgroup';
const BUSYBOX = 'tugboat/busybox:test';
const MiB = 1024 * 1024;

const read = async (controller: string, rel: string, file: string) => (await readFile(path.join(ROOT, controller, rel, file), 'utf8')).trim();
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

const isV1 = (await detectCgroupVersion(ROOT)) === 1;

describe.skipIf(!isV1)('cgroup v1 pod cgroups (real)', () => {
  const docker = new Docker();
  let cgroups: PodCgroups;
  const pods: [string, QOSClass][] = [];
  const containers: string[] = [];

  const newPod = (qos: QOSClass): string => {
    const uid = randomUUID();
    pods.push([uid, qos]);
    return uid;
  };

  beforeAll(async () => {
    cgroups = await createPodCgroups({ logger: pino({ level: 'silent' }) });
    await buildBusyboxImage(docker, BUSYBOX);
  });

  afterAll(async () => {
    for (const id of containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    for (const [uid, qos] of pods) await cgroups.removePod(uid, qos).catch(() => undefined);
  });

  it('is detected as version 1', () => {
    expect(cgroups.version).toBe(1);
  });

  it.each([
    ['Guaranteed', '/tugpods/pod'],
    ['Burstable', '/tugpods/burstable/pod'],
    ['BestEffort', '/tugpods/besteffort/pod'],
  ] as const)('places a %s pod under %s<uid>', async (qos, prefix) => {
    const uid = newPod(qos);
    const parent = await cgroups.ensurePod(uid, qos, { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 });
    expect(parent).toBe(`${prefix}${uid}`);
    expect(parent).toBe(podCgroupPath(uid, qos));
    for (const controller of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids']) expect(await exists(path.join(ROOT, controller, parent))).toBe(true);
    // cpuset levels inherit the root's cpus and mems, or no task could join them.
    expect(await read('cpuset', parent, 'cpuset.cpus')).toBe(await read('cpuset', '', 'cpuset.cpus'));
    expect(await read('cpuset', parent, 'cpuset.mems')).toBe(await read('cpuset', '', 'cpuset.mems'));
    if (qos === 'BestEffort') expect(await read('cpu', '/tugpods/besteffort', 'cpu.shares')).toBe('2');
  });

  it('writes the limits, rewrites them when called again, and lifts them with 0', async () => {
    const uid = newPod('Burstable');
    const rel = await cgroups.ensurePod(uid, 'Burstable', { cpuShares: 512, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, memoryLimitBytes: 64 * MiB });
    expect(await read('cpu', rel, 'cpu.shares')).toBe('512');
    expect(await read('cpu', rel, 'cpu.cfs_period_us')).toBe('100000');
    expect(await read('cpu', rel, 'cpu.cfs_quota_us')).toBe('50000');
    expect(await read('memory', rel, 'memory.limit_in_bytes')).toBe(String(64 * MiB));

    await cgroups.ensurePod(uid, 'Burstable', { cpuShares: 1024, cpuQuotaUs: 20_000, cpuPeriodUs: 50_000, memoryLimitBytes: 32 * MiB });
    expect(await read('cpu', rel, 'cpu.shares')).toBe('1024');
    expect(await read('cpu', rel, 'cpu.cfs_period_us')).toBe('50000');
    expect(await read('cpu', rel, 'cpu.cfs_quota_us')).toBe('20000');
    expect(await read('memory', rel, 'memory.limit_in_bytes')).toBe(String(32 * MiB));

    await cgroups.ensurePod(uid, 'Burstable', { cpuShares: 0, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 });
    expect(await read('cpu', rel, 'cpu.cfs_quota_us')).toBe('-1');
    expect(BigInt(await read('memory', rel, 'memory.limit_in_bytes'))).toBeGreaterThan(BigInt(2 ** 62));
  });

  it('hosts a Docker container under the pod, refuses removal while it runs, then removes every hierarchy', async () => {
    const uid = newPod('Burstable');
    const rel = await cgroups.ensurePod(uid, 'Burstable', { cpuShares: 256, cpuQuotaUs: 25_000, cpuPeriodUs: 100_000, memoryLimitBytes: 48 * MiB });
    const container = await docker.createContainer({
      Image: BUSYBOX,
      Cmd: ['sleep', '60'],
      HostConfig: { CgroupParent: rel, Memory: 16 * MiB, NetworkMode: 'none' },
    });
    containers.push(container.id);
    await container.start();
    const pid = (await container.inspect()).State.Pid;
    const procCgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8');
    expect(procCgroups).toMatch(new RegExp(`:memory:${rel}/${container.id}$`, 'm'));
    expect(await read('memory', `${rel}/${container.id}`, 'memory.limit_in_bytes')).toBe(String(16 * MiB));
    expect(await read('memory', rel, 'memory.limit_in_bytes')).toBe(String(48 * MiB));
    // The engine made the pod's path in hierarchies this code does not manage.
    expect(await exists(path.join(ROOT, 'devices', rel))).toBe(true);

    await expect(cgroups.removePod(uid, 'Burstable')).rejects.toThrow(/EBUSY/);

    await container.remove({ force: true });
    await cgroups.removePod(uid, 'Burstable');
    for (const hierarchy of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'devices', 'freezer', 'blkio']) {
      expect(await exists(path.join(ROOT, hierarchy, rel)), hierarchy).toBe(false);
    }
    // Absence is fine.
    await cgroups.removePod(uid, 'Burstable');
  });

  it('refuses a uid that cannot name a directory', async () => {
    await expect(cgroups.ensurePod('../x', 'Burstable', { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 })).rejects.toThrow(/cannot name a cgroup/);
  });
});
