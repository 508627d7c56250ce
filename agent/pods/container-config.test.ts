import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MountedVolume } from '../volumes/volume-manager.js';
import { ANNOTATIONS, buildContainerConfig, containerHash } from './container-config.js';
import { ConfigError } from './env.js';
import { pod } from './testing/fixtures.js';

let dir: string;
let volumes: Map<string, MountedVolume>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-config-'));
  await mkdir(path.join(dir, 'data/..v1'), { recursive: true });
  await writeFile(path.join(dir, 'data/..v1/key'), 'v');
  await symlink('..v1', path.join(dir, 'data/..data'));
  await symlink('..data/key', path.join(dir, 'data/key'));
  await symlink('/etc', path.join(dir, 'data/escape'));
  await mkdir(path.join(dir, 'empty'));
  volumes = new Map([
    ['data', { hostPath: path.join(dir, 'data'), readOnly: true }],
    ['empty', { hostPath: path.join(dir, 'empty'), readOnly: false }],
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const build = (container: Partial<Container>, spec: Parameters<typeof pod>[0] = {}) => {
  const c: Container = { name: 'app', image: 'busybox:1', ...container };
  return buildContainerConfig({
    pod: pod({ containers: [c], ...spec }),
    container: c,
    attempt: 3,
    env: [{ name: 'SUB', value: 'from-env' }, { name: 'WORD', value: 'hi' }],
    volumes,
    hostsFile: '/pods/uid-1/etc-hosts',
    terminationMessageFile: '/pods/uid-1/containers/app/abc',
  });
};

describe('container configuration', () => {
  it('expands command and args, carries the attempt, resources and the facts to read back', async () => {
    const config = await build({ command: ['sh', '-c', 'echo $(WORD)'], args: ['$(WORD)', '$$(WORD)'], workingDir: '/w', resources: { requests: { cpu: '500m' }, limits: { memory: '64Mi' } } });
    expect(config).toMatchObject({ name: 'app', attempt: 3, image: 'busybox:1', command: ['sh', '-c', 'echo hi'], args: ['hi', '$(WORD)'], workingDir: '/w' });
    expect(config.resources).toMatchObject({ cpuShares: 512, memoryLimitBytes: 64 * 1024 * 1024, memorySwapLimitBytes: 64 * 1024 * 1024 });
    expect(config.annotations).toEqual({
      [ANNOTATIONS.hash]: containerHash({ name: 'app', image: 'busybox:1', command: ['sh', '-c', 'echo $(WORD)'], args: ['$(WORD)', '$$(WORD)'], workingDir: '/w' }),
      [ANNOTATIONS.terminationMessageFile]: '/pods/uid-1/containers/app/abc',
      [ANNOTATIONS.terminationMessagePolicy]: 'File',
    });
  });

  it('hashes specs independently of key order and resources', () => {
    expect(containerHash({ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } })).toBe(containerHash({ image: 'x', name: 'a' }));
    expect(containerHash({ name: 'a', image: 'x' })).not.toBe(containerHash({ name: 'a', image: 'y' }));
  });

  it('mounts volumes (read-only API data, subPath, subPathExpr, propagation), /etc/hosts and the termination-message file', async () => {
    const config = await build({
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/one', subPath: 'key' },
        { name: 'empty', mountPath: '/e', readOnly: true, mountPropagation: 'HostToContainer' },
        { name: 'empty', mountPath: '/x', subPathExpr: 'logs/$(SUB)' },
      ],
      terminationMessagePath: '/tmp/msg',
    });
    expect(config.mounts).toEqual([
      { hostPath: path.join(dir, 'data'), containerPath: '/data', readOnly: true },
      { hostPath: path.join(dir, 'data/..v1/key'), containerPath: '/one', readOnly: true },
      { hostPath: path.join(dir, 'empty'), containerPath: '/e', readOnly: true, propagation: 'rslave' },
      { hostPath: path.join(dir, 'empty/logs/from-env'), containerPath: '/x', readOnly: false },
      { hostPath: '/pods/uid-1/etc-hosts', containerPath: '/etc/hosts', readOnly: false },
      { hostPath: '/pods/uid-1/containers/app/abc', containerPath: '/tmp/msg', readOnly: false },
    ]);
  });

  it.each([
    [{ volumeMounts: [{ name: 'nope', mountPath: '/n' }] }, 'cannot find volume "nope" to mount into container "app"'],
    [{ volumeMounts: [{ name: 'data', mountPath: '/n', subPath: '../x' }] }, `subPath "../x" must be a relative path without '..'`],
    [{ volumeMounts: [{ name: 'data', mountPath: '/n', subPath: 'escape' }] }, 'subPath "escape" resolves outside volume "data"'],
    [{ volumeMounts: [{ name: 'data', mountPath: '/n', subPath: 'missing' }] }, 'subPath "missing" does not exist in volume "data"'],
  ])('refuses bad mounts: %j', async (container, message) => {
    await expect(build(container)).rejects.toEqual(new ConfigError(message));
  });

  it('maps the security context: pod defaults, container overrides, groups and capabilities', async () => {
    const config = await build(
      { securityContext: { runAsUser: 1000, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } },
      { securityContext: { runAsUser: 5, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000 } },
    );
    expect(config.security).toEqual({ runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000, 2000], capAdd: ['NET_ADMIN'], capDrop: ['ALL'], readOnlyRootFilesystem: true, noNewPrivileges: true });
    await expect(build({ securityContext: { runAsNonRoot: true } })).rejects.toEqual(new ConfigError('container has runAsNonRoot and image will run as root'));
    await expect(build({ securityContext: { runAsNonRoot: true, runAsUser: 0 } })).rejects.toThrow(/runAsUser breaks non-root policy/);
    expect((await build({ securityContext: { runAsNonRoot: true, runAsUser: 1 } })).security).toEqual({ runAsUser: 1 });
  });

  it('leaves /etc/hosts alone when the pod mounts its own', async () => {
    const own = await build({ volumeMounts: [{ name: 'empty', mountPath: '/etc/hosts', subPath: 'hosts' }] });
    expect(own.mounts.filter((m) => m.containerPath === '/etc/hosts')).toHaveLength(1);
    expect(own.mounts.find((m) => m.containerPath === '/etc/hosts')!.hostPath).toBe(path.join(dir, 'empty/hosts'));
  });
});
