import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ContainerConfig, SandboxConfig } from '../runtime.js';
import { containerCreateOptions, dockerTime, imageRef, sandboxCreateOptions, sandboxStatus, statusFromInspect, statusFromList } from './convert.js';
import { labelKeys } from './labels.js';

const keys = labelKeys('');
const pod = { uid: 'u1', name: 'web', namespace: 'ns' };
const sandbox = { id: 'sb1', pod, cgroupParent: '/tugpods/burstable/podu1' };

function config(over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name: 'app',
    attempt: 1,
    image: 'img:1',
    env: [],
    mounts: [],
    resources: { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0, memorySwapLimitBytes: 0 },
    tty: false,
    stdin: false,
    stdinOnce: false,
    labels: {},
    annotations: {},
    ...over,
  };
}

describe('sandboxCreateOptions', () => {
  const base: SandboxConfig = { pod, attempt: 2, hostname: 'web', hostNetwork: false, portMappings: [], cgroupParent: '/tugpods/podu1', labels: { app: 'web' } };

  it('makes an isolated pause container without Docker networking, with the given files, labels and limits', () => {
    const files = ['/run/x/resolv.conf:/etc/resolv.conf:rw', '/run/x/hosts:/etc/hosts:rw'];
    const o = sandboxCreateOptions({ ...base, dns: { servers: ['10.96.0.10'], searches: ['ns.svc'], options: ['ndots:5'] }, hostAliases: [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }] }, 'pause:1', keys, files);
    expect(o).toMatchObject({ name: 'k8s_POD_web_ns_u1_2', Image: 'pause:1', Hostname: 'web', NetworkDisabled: true });
    expect(o.Labels).toEqual({ app: 'web', 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'ns', 'io.tugboat.kind': 'sandbox', 'io.tugboat.attempt': '2' });
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'none',
      IpcMode: 'shareable',
      Binds: files,
      CgroupParent: '/tugpods/podu1',
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    });
    // Docker's own DNS options need its networking: the files carry them.
    expect(o.HostConfig).not.toHaveProperty('Dns');
    expect(o.HostConfig).not.toHaveProperty('ExtraHosts');
  });

  it('uses the host network, with Docker writing DNS and aliases, and no hostname with hostNetwork', () => {
    const o = sandboxCreateOptions({ ...base, hostNetwork: true, dns: { servers: ['10.96.0.10'], searches: ['ns.svc'], options: ['ndots:5'] }, hostAliases: [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }] }, 'pause:1', keys);
    expect(o.HostConfig).toMatchObject({ NetworkMode: 'host', Dns: ['10.96.0.10'], DnsSearch: ['ns.svc'], DnsOptions: ['ndots:5'], ExtraHosts: ['a:1.2.3.4', 'b:1.2.3.4'] });
    expect(o.NetworkDisabled).toBeUndefined();
    expect(o.Hostname).toBeUndefined();
  });
});

describe('containerCreateOptions', () => {
  it("adds the sandbox's files where the container mounts nothing itself", () => {
    const files = ['/run/x/resolv.conf:/etc/resolv.conf:rw', '/run/x/hosts:/etc/hosts:rw'];
    const own = { hostPath: '/pods/p/etc-hosts', containerPath: '/etc/hosts', readOnly: false };
    expect(containerCreateOptions({ ...sandbox, files }, config(), keys).HostConfig?.Binds).toEqual(files);
    expect(containerCreateOptions({ ...sandbox, files }, config({ mounts: [own] }), keys).HostConfig?.Binds).toEqual(['/pods/p/etc-hosts:/etc/hosts:rw', files[0]]);
  });

  it.each([
    ['neither', undefined, undefined, undefined, undefined],
    ['args only', undefined, ['a'], undefined, ['a']],
    ['command only', ['c'], undefined, ['c'], undefined],
    ['both', ['c'], ['a'], ['c'], ['a']],
    ['empty command is no command', [], ['a'], undefined, ['a']],
  ])('command/args: %s', (_case, command, args, entrypoint, cmd) => {
    const o = containerCreateOptions(sandbox, config({ command, args }), keys);
    expect([o.Entrypoint, o.Cmd]).toEqual([entrypoint, cmd]);
  });

  it('joins the sandbox namespaces and cgroup parent, with resources, security, mounts and labels', () => {
    const o = containerCreateOptions(
      sandbox,
      config({
        env: [{ name: 'A', value: 'x=y' }],
        workingDir: '/w',
        mounts: [
          { hostPath: '/h1', containerPath: '/c1', readOnly: true },
          { hostPath: '/h2', containerPath: '/c2', readOnly: false, propagation: 'rslave' },
        ],
        devices: [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rwm' }],
        resources: { cpuShares: 512, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, memoryLimitBytes: 1024, memorySwapLimitBytes: 1024, pidsLimit: 10 },
        security: { runAsUser: 1000, runAsGroup: 2000, supplementalGroups: [3000], capAdd: ['NET_ADMIN'], capDrop: ['ALL'], readOnlyRootFilesystem: true, noNewPrivileges: true },
        tty: true,
        stdin: true,
        stdinOnce: true,
        labels: { app: 'web' },
        annotations: { hash: 'h' },
      }),
      keys,
    );
    expect(o).toMatchObject({ name: 'k8s_app_web_ns_u1_1', Image: 'img:1', Env: ['A=x=y'], WorkingDir: '/w', User: '1000:2000', Tty: true, OpenStdin: true, StdinOnce: true });
    expect(o.Labels).toMatchObject({ app: 'web', 'io.tugboat.kind': 'container', 'io.kubernetes.container.name': 'app', 'io.tugboat.attempt': '1', 'io.tugboat.annotations': '{"hash":"h"}', 'io.tugboat.sandbox-id': 'sb1', 'io.tugboat.image': 'img:1' });
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'container:sb1',
      IpcMode: 'container:sb1',
      CgroupParent: '/tugpods/burstable/podu1',
      Binds: ['/h1:/c1:ro', '/h2:/c2:rw,rslave'],
      Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
      CpuShares: 512,
      CpuQuota: 50_000,
      CpuPeriod: 100_000,
      Memory: 1024,
      MemorySwap: 1024,
      PidsLimit: 10,
      GroupAdd: ['3000'],
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      ReadonlyRootfs: true,
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: { Name: 'no' },
    });
    expect(o.HostConfig?.PidMode).toBeUndefined();
  });

  it('leaves unlimited resources to the engine defaults', () => {
    const h = containerCreateOptions(sandbox, config(), keys).HostConfig!;
    expect([h.CpuQuota, h.CpuPeriod, h.Memory, h.MemorySwap, h.PidsLimit]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it.each([
    [{ runAsUser: 0 }, '0'],
    [{}, undefined],
  ])('user %j → %s', (security, user) => {
    expect(containerCreateOptions(sandbox, config({ security }), keys).User).toBe(user);
  });

  it('refuses runAsGroup without runAsUser', () => {
    expect(() => containerCreateOptions(sandbox, config({ security: { runAsGroup: 1 } }), keys)).toThrow(/runAsGroup/);
  });
});

describe('statuses', () => {
  const labels = { 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.container.name': 'app', 'io.tugboat.attempt': '3', 'io.tugboat.annotations': '{"k":"v"}', 'io.tugboat.sandbox-id': 'sb1', 'io.tugboat.image': 'img:1', 'io.tugboat.kind': 'container' };
  const ZERO = '0001-01-01T00:00:00Z';

  function inspect(state: Partial<Docker.ContainerInspectInfo['State']>): Docker.ContainerInspectInfo {
    return {
      Id: 'c1',
      Created: '2024-05-01T10:00:00.000000001Z',
      Image: 'sha256:abc',
      Config: { Labels: labels, Image: 'img@latest', Tty: false },
      State: { Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO, FinishedAt: ZERO, ...state },
    } as unknown as Docker.ContainerInspectInfo;
  }

  const started = '2024-05-01T10:00:01Z';
  const finished = '2024-05-01T10:00:02Z';
  it.each([
    ['running', { Status: 'running', Running: true, Pid: 77, StartedAt: started }, { state: 'running', pid: 77 }],
    ['created', { Status: 'created' }, { state: 'created', startedAt: undefined }],
    ['completed', { StartedAt: started, FinishedAt: finished }, { state: 'exited', exitCode: 0, reason: 'Completed' }],
    ['failed', { StartedAt: started, FinishedAt: finished, ExitCode: 2 }, { state: 'exited', exitCode: 2, reason: 'Error' }],
    ['OOM-killed', { StartedAt: started, FinishedAt: finished, ExitCode: 137, OOMKilled: true }, { state: 'exited', exitCode: 137, reason: 'OOMKilled' }],
    ['never started', { Status: 'created', ExitCode: 127, Error: 'exec: not found' }, { state: 'exited', exitCode: 127, reason: 'ContainerCannotRun', message: 'exec: not found' }],
  ] as const)('inspect of a %s container', (_case, state, expected) => {
    const status = statusFromInspect(inspect(state), undefined, keys);
    expect(status).toMatchObject({ id: 'c1', sandboxId: 'sb1', pod, name: 'app', attempt: 3, image: 'img:1', imageRef: 'docker://sha256:abc', annotations: { k: 'v' }, ...expected });
    if (status.state !== 'exited') expect([status.reason, status.exitCode, status.finishedAt]).toEqual([undefined, undefined, undefined]);
  });

  it('reads times, treating Docker zero time as absent', () => {
    const status = statusFromInspect(inspect({ StartedAt: started, FinishedAt: finished }), undefined, keys);
    expect([status.startedAt?.toISOString(), status.finishedAt?.toISOString()]).toEqual(['2024-05-01T10:00:01.000Z', '2024-05-01T10:00:02.000Z']);
    expect(dockerTime(ZERO)).toBeUndefined();
    expect(dockerTime('')).toBeUndefined();
  });

  it.each([
    ['sha256:abc', undefined, 'docker://sha256:abc'],
    ['sha256:abc', [], 'docker://sha256:abc'],
    ['sha256:abc', ['nginx@sha256:def', 'x@sha256:1'], 'docker-pullable://nginx@sha256:def'],
  ])('imageRef(%s, %j) = %s', (id, digests, ref) => {
    expect(imageRef(id, digests)).toBe(ref);
  });

  it('summarises list entries, and sandboxes with their netns when running', () => {
    const entry = { Id: 'c1', Image: 'sha256:moved', ImageID: 'sha256:abc', Created: 1_714_557_600, State: 'running', Labels: labels } as unknown as Docker.ContainerInfo;
    expect(statusFromList(entry, ['img@sha256:d'], keys)).toMatchObject({ id: 'c1', state: 'running', image: 'img:1', imageRef: 'docker-pullable://img@sha256:d', attempt: 3, createdAt: new Date(1_714_557_600_000) });
    expect(sandboxStatus(entry, 42, keys)).toMatchObject({ state: 'ready', pid: 42, netnsPath: '/proc/42/ns/net', attempt: 3, pod });
    expect(sandboxStatus({ ...entry, State: 'exited' }, undefined, keys)).toMatchObject({ state: 'notready', pid: undefined, netnsPath: undefined });
  });

  it('reports prefixed labels without the prefix', () => {
    const prefixed = labelKeys('p.');
    const entry = { Id: 'c1', Image: 'i', ImageID: 'sha256:abc', Created: 0, State: 'exited', Labels: { 'p.io.kubernetes.pod.uid': 'u1', 'p.io.tugboat.attempt': '5', app: 'x' } } as unknown as Docker.ContainerInfo;
    const status = statusFromList(entry, undefined, prefixed);
    expect(status.labels).toEqual({ 'io.kubernetes.pod.uid': 'u1', 'io.tugboat.attempt': '5', app: 'x' });
    expect([status.pod.uid, status.attempt]).toEqual(['u1', 5]);
  });
});
