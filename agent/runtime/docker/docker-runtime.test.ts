// The Docker runtime against the real engine: sandboxes and containers, namespaces, cgroups, exit
// reasons, streams, adoption and stop semantics. Everything created carries a label prefix unique
// to this run, is removed after each test, and swept by that label at the end.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPodCgroups, type PodCgroups } from '../../cgroups/index.js';
import { RuntimeError, type ContainerConfig, type ContainerRuntime, type ContainerStatus, type PodIdentity, type RuntimeEvent, type SandboxConfig } from '../runtime.js';
import { createDockerRuntime } from './docker-runtime.js';
import { buildBusyboxImage, ensurePauseImage, PAUSE_IMAGE } from './images.js';

const BUSYBOX = 'tugboat/busybox:test';
const MiB = 1024 * 1024;
const logger = pino({ level: 'silent' });
const suffix = randomBytes(3).toString('hex');
const PREFIX = `test-${suffix}.`;
/** An image with both ENTRYPOINT and CMD, for command/args semantics; unique to this run. */
const ENTRYPOINT_IMAGE = `tugboat/entrypoint-test:${suffix}`;

const docker = new Docker();
let runtime: ContainerRuntime;
let cgroups: PodCgroups;
const created: { sandboxId: string; pod: PodIdentity }[] = [];

function newPod(): PodIdentity {
  return { uid: randomUUID(), name: `pod-${randomBytes(3).toString('hex')}`, namespace: 'default' };
}

/** A sandbox in its own pod cgroup; the caller removes both. */
async function createSandbox(over: Partial<SandboxConfig> = {}): Promise<{ id: string; config: SandboxConfig }> {
  const pod = over.pod ?? newPod();
  const cgroupParent = await cgroups.ensurePod(pod.uid, 'Burstable', { cpuShares: 1024, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0 });
  const config: SandboxConfig = { pod, attempt: 0, hostname: pod.name, hostNetwork: false, portMappings: [], cgroupParent, labels: {}, ...over };
  return { id: await runtime.runPodSandbox(config), config };
}

/** A sandbox removed (with its containers and cgroup) after the current test. */
async function runSandbox(over: Partial<SandboxConfig> = {}): Promise<{ id: string; config: SandboxConfig }> {
  const sandbox = await createSandbox(over);
  created.push({ sandboxId: sandbox.id, pod: sandbox.config.pod });
  return sandbox;
}

function containerConfig(over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name: 'main',
    attempt: 0,
    image: BUSYBOX,
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

async function runContainer(sandboxId: string, over: Partial<ContainerConfig> = {}): Promise<string> {
  const id = await runtime.createContainer(sandboxId, containerConfig(over));
  await runtime.startContainer(id);
  return id;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (id: string) => until(`${id} to exit`, async () => {
  const status = await runtime.containerStatus(id);
  return status.state === 'exited' ? status : undefined;
});

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function sh(id: string, script: string): Promise<string> {
  const result = await runtime.execSync(id, ['sh', '-c', script], 10);
  if (result.exitCode !== 0) throw new Error(`${script}: exit ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

const nsOf = (pid: number, ns: string) => readlink(`/proc/${pid}/ns/${ns}`);

beforeAll(async () => {
  await buildBusyboxImage(docker, BUSYBOX);
  runtime = await createDockerRuntime({ logger, labelPrefix: PREFIX });
  cgroups = await createPodCgroups({ logger });
  const base = await docker.createContainer({ Image: BUSYBOX });
  try {
    await base.commit({ repo: 'tugboat/entrypoint-test', tag: suffix, changes: ['ENTRYPOINT ["echo", "ep"]', 'CMD ["cmd"]'] });
  } finally {
    await base.remove({ force: true });
  }
});

afterEach(async () => {
  for (const { sandboxId, pod } of created.splice(0)) {
    await runtime.removePodSandbox(sandboxId);
    await cgroups.removePod(pod.uid, 'Burstable');
  }
});

afterAll(async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [`${PREFIX}io.tugboat.kind`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  await docker.getImage(ENTRYPOINT_IMAGE).remove({ force: true }).catch(() => undefined);
});

describe('images', () => {
  it('builds busybox images deterministically: the same content gives the same id', async () => {
    const tag = `tugboat/busybox:determinism-${suffix}`;
    try {
      const id = await buildBusyboxImage(docker, tag);
      expect(id).toBe((await docker.getImage(BUSYBOX).inspect()).Id);
    } finally {
      await docker.getImage(tag).remove().catch(() => undefined);
    }
  });

  it('ensures the pause image once for concurrent callers', async () => {
    expect(await Promise.all([ensurePauseImage(docker), ensurePauseImage(docker)])).toEqual([PAUSE_IMAGE, PAUSE_IMAGE]);
    expect((await docker.getImage(PAUSE_IMAGE).inspect()).Config.Entrypoint).toEqual(['/pause']);
  });

  it('reports image status, lists images and fails pulls with the engine message', async () => {
    const info = await runtime.imageStatus(BUSYBOX);
    expect(info?.tags).toContain(BUSYBOX);
    expect(info?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info?.sizeBytes).toBeGreaterThan(1_000_000);
    expect(await runtime.imageStatus(`tugboat/absent:${suffix}`)).toBeUndefined();
    expect((await runtime.listImages()).some((i) => i.tags.includes(BUSYBOX))).toBe(true);
    // A registry on loopback that refuses connections: nothing leaves the machine.
    const pull = runtime.pullImage(`127.0.0.1:1/tugboat/absent:${suffix}`);
    await expect(pull).rejects.toMatchObject({ code: 'ImagePullFailed', message: expect.stringMatching(/connection refused/) });
  });

  it('reports the engine version', async () => {
    const v = await runtime.version();
    expect(v.name).toBe('docker');
    expect(v.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('sandboxes', () => {
  it('gives the pod one network and IPC namespace, hostname, DNS and host aliases, but its own PID namespace per container', async () => {
    const { id: sandboxId, config } = await runSandbox({
      dns: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] },
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['alias-one', 'alias-two'] }],
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '80' },
    });
    const server = await runContainer(sandboxId, { name: 'server', command: ['sh', '-c', 'echo hello-from-server > /tmp/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp'] });
    const client = await runContainer(sandboxId, { name: 'client', command: ['sleep', '60'] });

    const body = await until('the server to answer on the shared loopback', async () => {
      const r = await runtime.execSync(client, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/index.html'], 5);
      return r.exitCode === 0 ? r.stdout : undefined;
    });
    expect(body).toBe('hello-from-server\n');

    const [sandbox] = await runtime.listPodSandboxes(config.pod.uid);
    expect(sandbox).toMatchObject({ id: sandboxId, pod: config.pod, attempt: 0, state: 'ready' });
    expect(sandbox.netnsPath).toBe(`/proc/${sandbox.pid}/ns/net`);
    const clientPid = (await runtime.containerStatus(client)).pid!;
    expect(await nsOf(clientPid, 'net')).toBe(await readlink(sandbox.netnsPath!));
    expect(await nsOf(clientPid, 'ipc')).toBe(await nsOf(sandbox.pid!, 'ipc'));
    expect(await nsOf(clientPid, 'pid')).not.toBe(await nsOf(sandbox.pid!, 'pid'));
    // Network `none`: loopback only, for CNI to wire.
    expect((await sh(client, 'ls /sys/class/net')).split(/\s+/).filter(Boolean)).toEqual(['lo']);

    expect((await sh(client, 'hostname')).trim()).toBe(config.hostname);
    const resolv = await sh(server, 'cat /etc/resolv.conf');
    expect(resolv).toMatch(/^nameserver 10\.96\.0\.10$/m);
    expect(resolv).toMatch(/^search default\.svc\.cluster\.local svc\.cluster\.local$/m);
    expect(resolv).toMatch(/^options ndots:5$/m);
    expect(await sh(client, 'cat /etc/hosts')).toMatch(/^10\.1\.2\.3\s+alias-one$/m);
    expect(await sh(client, 'cat /etc/hosts')).toMatch(/^10\.1\.2\.3\s+alias-two$/m);
    // Namespaced sysctls set on the sandbox hold for the whole pod.
    expect(await sh(client, 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start')).toBe('80\n');
  });

  it('shares the host network namespace with hostNetwork', async () => {
    const { config } = await runSandbox({ hostNetwork: true });
    const [sandbox] = await runtime.listPodSandboxes(config.pod.uid);
    expect(await readlink(sandbox.netnsPath!)).toBe(await readlink('/proc/self/ns/net'));
  });

  it('runs a pause process that reaps orphans and exits 0 at once on SIGTERM', async () => {
    const { id } = await runSandbox();
    await sh(id, 'sleep 0.2 & exit 0');
    await new Promise((r) => setTimeout(r, 800));
    const states = await sh(id, 'cat /proc/[0-9]*/stat');
    expect(states).not.toMatch(/\) Z /);
    const started = Date.now();
    await runtime.stopPodSandbox(id);
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await docker.getContainer(id).inspect()).State.ExitCode).toBe(0);
  });

  it('stops its containers with it, removes them with it, and both are idempotent', async () => {
    const { id, config } = await runSandbox();
    const c = await runContainer(id, { command: ['sleep', '60'] });
    await runtime.stopPodSandbox(id);
    expect((await runtime.listPodSandboxes(config.pod.uid))[0]).toMatchObject({ state: 'notready', netnsPath: undefined, pid: undefined });
    expect((await runtime.containerStatus(c)).state).toBe('exited');
    await runtime.stopPodSandbox(id);
    await runtime.removePodSandbox(id);
    await runtime.removePodSandbox(id);
    expect(await runtime.listPodSandboxes(config.pod.uid)).toEqual([]);
    expect(await runtime.listContainers(config.pod.uid)).toEqual([]);
  });
});

describe('containers', () => {
  it.each([
    ['neither: the image decides', undefined, undefined, 'ep cmd'],
    ['args only: image entrypoint with the args', undefined, ['a1', 'a2'], 'ep a1 a2'],
    ['command only: the image CMD is dropped', ['echo', 'c1'], undefined, 'c1'],
    ['command and args', ['echo', 'c1'], ['a1'], 'c1 a1'],
  ])('command/args — %s', async (_case, command, args, output) => {
    const { id: sandboxId } = await runSandbox();
    const id = await runContainer(sandboxId, { image: ENTRYPOINT_IMAGE, command, args });
    await exited(id);
    expect(await readAll(await runtime.logs(id, { follow: false, timestamps: false }))).toBe(`${output}\n`);
  });

  it('sets env, working directory, user, groups, security options and mounts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-mount-'));
    try {
      await chmod(dir, 0o755);
      await writeFile(path.join(dir, 'in.txt'), 'from-host');
      const { id: sandboxId } = await runSandbox();
      const id = await runContainer(sandboxId, {
        command: ['sleep', '60'],
        env: [
          { name: 'PLAIN', value: 'x' },
          { name: 'SPACED', value: 'a b  c' },
        ],
        workingDir: '/tmp',
        mounts: [
          { hostPath: dir, containerPath: '/ro', readOnly: true },
          { hostPath: dir, containerPath: '/rw', readOnly: false },
        ],
        security: { runAsUser: 65534, runAsGroup: 65534, supplementalGroups: [1234], capDrop: ['ALL'], readOnlyRootFilesystem: true, noNewPrivileges: true },
      });
      expect(await sh(id, 'echo "$PLAIN|$SPACED"')).toBe('x|a b  c\n');
      expect(await sh(id, 'pwd')).toBe('/tmp\n');
      expect(await sh(id, 'id -u; id -g; id -G')).toBe('65534\n65534\n65534 1234\n');
      expect(await sh(id, 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status')).toMatch(/CapEff:\s+0+\nNoNewPrivs:\s+1/);
      expect(await sh(id, 'cat /ro/in.txt')).toBe('from-host');
      expect((await runtime.execSync(id, ['touch', '/ro/x'], 5)).exitCode).not.toBe(0);
      expect((await runtime.execSync(id, ['touch', '/rootfs-file'], 5)).exitCode).not.toBe(0);
      // /rw is writable by root only on the host side: write as root through a second container.
      const writer = await runContainer(sandboxId, { name: 'writer', command: ['sh', '-c', 'echo from-pod > /rw/out.txt'], mounts: [{ hostPath: dir, containerPath: '/rw', readOnly: false }] });
      await exited(writer);
      expect(await readFile(path.join(dir, 'out.txt'), 'utf8')).toBe('from-pod\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad configs with the right codes', async () => {
    const { id: sandboxId } = await runSandbox();
    await expect(runtime.createContainer(sandboxId, containerConfig({ image: `tugboat/absent:${suffix}` }))).rejects.toMatchObject({ code: 'ImageNotFound' });
    await expect(runtime.createContainer('0'.repeat(64), containerConfig())).rejects.toMatchObject({ code: 'NotFound' });
    await expect(runtime.createContainer(sandboxId, containerConfig({ security: { runAsGroup: 5 } }))).rejects.toMatchObject({ code: 'InvalidConfig' });
    await expect(runtime.containerStatus('0'.repeat(64))).rejects.toBeInstanceOf(RuntimeError);
  });

  it('applies the resources to the container cgroup under the pod parent', async () => {
    const { id: sandboxId, config } = await runSandbox();
    const id = await runContainer(sandboxId, {
      command: ['sleep', '60'],
      resources: { cpuShares: 512, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, memoryLimitBytes: 64 * MiB, memorySwapLimitBytes: 64 * MiB, pidsLimit: 100 },
    });
    const host = (controller: string, file: string) => readFile(path.join('/sys/fs/cgroup', controller, config.cgroupParent, id, file), 'utf8').then((s) => s.trim());
    expect(await host('memory', 'memory.limit_in_bytes')).toBe(String(64 * MiB));
    expect(await host('cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(await host('cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(await host('cpu', 'cpu.shares')).toBe('512');
    expect(await host('pids', 'pids.max')).toBe('100');
    // And as the container sees it.
    expect(await sh(id, 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us')).toBe(`${64 * MiB}\n50000\n`);
  });

  it('reports OOMKilled with exit 137, with oom and die events', async () => {
    const abort = new AbortController();
    const events: RuntimeEvent[] = [];
    const collecting = (async () => {
      for await (const e of runtime.events(abort.signal)) events.push(e);
    })();
    try {
      const { id: sandboxId } = await runSandbox();
      const id = await runContainer(sandboxId, {
        command: ['sh', '-c', 'dd if=/dev/zero bs=1M count=100 | tail'],
        resources: { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 24 * MiB, memorySwapLimitBytes: 24 * MiB },
      });
      const status = await exited(id);
      expect(status).toMatchObject({ state: 'exited', exitCode: 137, reason: 'OOMKilled' });
      await until('oom and die events', async () => (events.some((e) => e.containerId === id && e.type === 'oom') && events.some((e) => e.containerId === id && e.type === 'die') ? true : undefined));
      expect(events.find((e) => e.containerId === id)?.type).toBe('start');
    } finally {
      abort.abort();
      await collecting;
    }
  });

  it.each([
    // The sleeps keep the times apart: the engine stamps the start late, a sub-millisecond exit can precede it.
    ['sleep 0.05; exit 0', 0, 'Completed'],
    ['sleep 0.05; echo failing >&2; exit 3', 3, 'Error'],
  ])('reports `%s` as exit %i, %s, with times and image', async (script, exitCode, reason) => {
    const { id: sandboxId, config } = await runSandbox();
    const id = await runContainer(sandboxId, { command: ['sh', '-c', script], attempt: 2, annotations: { hash: 'abc' }, labels: { app: 'x' } });
    const status = await exited(id);
    expect(status).toMatchObject({
      id,
      sandboxId,
      pod: config.pod,
      name: 'main',
      attempt: 2,
      image: BUSYBOX,
      state: 'exited',
      exitCode,
      reason,
      annotations: { hash: 'abc' },
    });
    expect(status.labels).toMatchObject({ app: 'x', 'io.kubernetes.container.name': 'main', 'io.tugboat.attempt': '2' });
    expect(status.imageRef).toBe(`docker://${(await docker.getImage(BUSYBOX).inspect()).Id}`);
    expect(status.startedAt!.getTime()).toBeLessThanOrEqual(status.finishedAt!.getTime());
    expect(status.createdAt.getTime()).toBeLessThanOrEqual(status.startedAt!.getTime());
  });

  it('reports a process that cannot start as ContainerCannotRun', async () => {
    const { id: sandboxId } = await runSandbox();
    const id = await runtime.createContainer(sandboxId, containerConfig({ command: ['/no/such/binary'] }));
    expect((await runtime.containerStatus(id)).state).toBe('created');
    // The engine answers 400: the configuration names a binary the image lacks.
    await expect(runtime.startContainer(id)).rejects.toMatchObject({ code: 'InvalidConfig', message: expect.stringMatching(/no such file/) });
    expect(await runtime.containerStatus(id)).toMatchObject({ state: 'exited', reason: 'ContainerCannotRun', exitCode: 127 });
  });

  it('lists its containers cheaply, by pod, with the same image ref as the full status', async () => {
    const { id: sandboxId, config } = await runSandbox();
    const a = await runContainer(sandboxId, { name: 'a', command: ['sleep', '60'] });
    const b = await runtime.createContainer(sandboxId, containerConfig({ name: 'b', attempt: 1 }));
    const listed = (await runtime.listContainers(config.pod.uid)).sort((x, y) => x.name.localeCompare(y.name));
    expect(listed.map((c) => [c.id, c.name, c.state, c.attempt, c.sandboxId])).toEqual([
      [a, 'a', 'running', 0, sandboxId],
      [b, 'b', 'created', 1, sandboxId],
    ]);
    expect(listed[0].imageRef).toBe((await runtime.containerStatus(a)).imageRef);
    expect((await runtime.listContainers()).map((c) => c.id)).toEqual(expect.arrayContaining([a, b]));
  });

  it('stops with SIGTERM honoured by a trap, and SIGKILL after the timeout; stop and remove are idempotent', async () => {
    const { id: sandboxId } = await runSandbox();
    const trapping = await runContainer(sandboxId, { name: 'trapping', command: ['sh', '-c', 'trap "echo got-TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done'] });
    const stubborn = await runContainer(sandboxId, { name: 'stubborn', command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'] });
    for (const id of [trapping, stubborn]) {
      await until('ready', async () => ((await readAll(await runtime.logs(id, { follow: false, timestamps: false }))).includes('ready') ? true : undefined));
    }

    let started = Date.now();
    await runtime.stopContainer(trapping, 10);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await runtime.containerStatus(trapping)).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await readAll(await runtime.logs(trapping, { follow: false, timestamps: false }))).toContain('got-TERM');

    started = Date.now();
    await runtime.stopContainer(stubborn, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await runtime.containerStatus(stubborn)).toMatchObject({ exitCode: 137, reason: 'Error' });

    await runtime.stopContainer(stubborn, 1);
    await runtime.removeContainer(stubborn);
    await runtime.removeContainer(stubborn);
    await runtime.stopContainer(stubborn, 1);
    await expect(runtime.containerStatus(stubborn)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('is adopted by a new runtime with the same label prefix, and invisible to another prefix', async () => {
    const { id: sandboxId, config } = await runSandbox({ attempt: 3, labels: { app: 'adopt' } });
    const id = await runContainer(sandboxId, { command: ['sleep', '60'], attempt: 4, annotations: { hash: 'h1', terminationMessagePath: '/dev/termination-log' } });

    const again = await createDockerRuntime({ logger, labelPrefix: PREFIX });
    const [sandbox] = await again.listPodSandboxes(config.pod.uid);
    expect(sandbox).toMatchObject({ id: sandboxId, pod: config.pod, attempt: 3, state: 'ready' });
    expect(sandbox.labels).toMatchObject({ app: 'adopt', 'io.kubernetes.pod.uid': config.pod.uid, 'io.tugboat.kind': 'sandbox' });
    const [container] = await again.listContainers(config.pod.uid);
    expect(container).toMatchObject<Partial<ContainerStatus>>({ id, sandboxId, name: 'main', attempt: 4, state: 'running', pod: config.pod });
    expect(container.annotations).toEqual({ hash: 'h1', terminationMessagePath: '/dev/termination-log' });

    const other = await createDockerRuntime({ logger, labelPrefix: `other-${suffix}.` });
    expect(await other.listPodSandboxes(config.pod.uid)).toEqual([]);
    expect(await other.listContainers(config.pod.uid)).toEqual([]);
    const unprefixed = await createDockerRuntime({ logger });
    expect(await unprefixed.listPodSandboxes(config.pod.uid)).toEqual([]);
  });
});

describe('streams', () => {
  it('execSync collects output and exit code, and times out killing the process', async () => {
    const { id: sandboxId } = await runSandbox();
    const id = await runContainer(sandboxId, { command: ['sleep', '60'] });
    expect(await runtime.execSync(id, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 5)).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });

    const started = Date.now();
    const result = await runtime.execSync(id, ['sh', '-c', 'echo before; exec sleep 30'], 1);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(result).toMatchObject({ timedOut: true, exitCode: -1, stdout: 'before\n' });
    expect(await sh(id, 'ps')).not.toMatch(/sleep 30/);
  });

  it('exec streams stdin, stdout and stderr separately and reports the exit code', async () => {
    const { id: sandboxId } = await runSandbox();
    const id = await runContainer(sandboxId, { command: ['sleep', '60'] });
    const session = await runtime.exec(id, ['sh', '-c', 'cat; echo to-stderr >&2; exit 7'], { stdin: true, stdout: true, stderr: true, tty: false });
    const out = readAll(session.stdout!);
    const err = readAll(session.stderr!);
    session.stdin!.end('hello stdin');
    expect(await out).toBe('hello stdin');
    expect(await err).toBe('to-stderr\n');
    expect(await session.exitCode).toBe(7);
  });

  it('exec with a TTY merges output and follows resizes', async () => {
    const { id: sandboxId } = await runSandbox();
    const id = await runContainer(sandboxId, { command: ['sleep', '60'] });
    const session = await runtime.exec(id, ['sh', '-c', 'read go; stty size; tty; echo err >&2'], { stdin: true, stdout: true, stderr: true, tty: true });
    expect(session.stderr).toBeUndefined();
    const out = readAll(session.stdout!);
    await session.resize(123, 45);
    session.stdin!.write('go\n');
    const text = await out;
    expect(text).toMatch(/45 123/);
    expect(text).toMatch(/\/dev\/pts\/\d+/);
    expect(text).toMatch(/err/);
    expect(await session.exitCode).toBe(0);
  });

  it('attach reaches the main process and ends with its exit code', async () => {
    const { id: sandboxId } = await runSandbox();
    const id = await runContainer(sandboxId, { stdin: true, stdinOnce: true, command: ['sh', '-c', 'read line; echo got:$line; echo bye >&2; exit 4'] });
    const session = await runtime.attach(id, { stdin: true, stdout: true, stderr: true, tty: false });
    const out = readAll(session.stdout!);
    const err = readAll(session.stderr!);
    session.stdin!.write('x\n');
    expect(await out).toBe('got:x\n');
    expect(await err).toBe('bye\n');
    expect(await session.exitCode).toBe(4);
  });

  describe('logs', () => {
    let sandbox: { id: string; config: SandboxConfig };
    let id: string;
    let lines: string[];

    // One exited container for the group (runSandbox's sandboxes go after each test).
    beforeAll(async () => {
      sandbox = await createSandbox();
      id = await runContainer(sandbox.id, { command: ['sh', '-c', 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three'] });
      await exited(id);
      lines = (await readAll(await runtime.logs(id, { follow: false, timestamps: true }))).split('\n').filter(Boolean);
    });
    afterAll(async () => {
      if (!sandbox) return;
      await runtime.removePodSandbox(sandbox.id);
      await cgroups.removePod(sandbox.config.pod.uid, 'Burstable');
    });

    it.each([
      ['everything, stdout and stderr in order', {}, 'one\ntwo\nthree\n'],
      ['the last line', { tail: 1 }, 'three\n'],
      ['no lines', { tail: 0 }, ''],
      ['at most 5 bytes', { limitBytes: 5 }, 'one\nt'],
    ])('%s', async (_case, opts, expected) => {
      expect(await readAll(await runtime.logs(id, { follow: false, timestamps: false, ...opts }))).toBe(expected);
    });

    it('with timestamps, and since a time', async () => {
      expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['one', 'two', 'three']);
      const stamps = lines.map((l) => l.split(' ')[0]);
      for (const s of stamps) expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
      const since = new Date(new Date(stamps[1]).getTime());
      expect(await readAll(await runtime.logs(id, { follow: false, timestamps: false, since }))).toBe('two\nthree\n');
    });
  });

  it('follows logs until the container exits, and a follow can be abandoned', async () => {
    const { id: sandboxId } = await runSandbox();
    const id = await runContainer(sandboxId, { command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line-$i; sleep 0.2; done'] });
    const stream = await runtime.logs(id, { follow: true, timestamps: false });
    const seen: { text: string; at: number }[] = [];
    for await (const chunk of stream) seen.push({ text: chunk.toString(), at: Date.now() });
    expect(seen.map((s) => s.text).join('')).toBe('line-1\nline-2\nline-3\nline-4\nline-5\n');
    expect(seen.at(-1)!.at - seen[0].at).toBeGreaterThan(400);

    const sleeper = await runContainer(sandboxId, { name: 'sleeper', command: ['sh', '-c', 'echo first; sleep 60'] });
    const follow = await runtime.logs(sleeper, { follow: true, timestamps: false });
    for await (const chunk of follow) {
      expect(chunk.toString()).toBe('first\n');
      break;
    }
    expect(follow.destroyed).toBe(true);
  });

  it('port-forwards through the sandbox: request/response, half-close, and refused ports', async () => {
    const { id: sandboxId } = await runSandbox();
    await runContainer(sandboxId, { name: 'web', command: ['sh', '-c', 'echo forwarded > /tmp/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp'] });
    await runContainer(sandboxId, { name: 'echo', command: ['nc', '-ll', '-p', '9000', '-e', 'cat'] });

    const roundTrip = async (port: number, payload: string) => {
      const stream: Duplex = await runtime.portForward(sandboxId, port);
      const reply = readAll(stream);
      stream.end(payload);
      return reply;
    };
    const page = await until('the web server', () => roundTrip(8080, 'GET /index.html HTTP/1.0\r\n\r\n').then((r) => (r.includes('forwarded') ? r : undefined)).catch(() => undefined));
    expect(page).toMatch(/^HTTP\/1\.[01] 200/);
    expect(page).toMatch(/forwarded\n$/);

    const payload = randomBytes(256 * 1024).toString('base64');
    expect(await until('the echo server', () => roundTrip(9000, payload).then((r) => (r.length > 0 ? r : undefined)).catch(() => undefined))).toBe(payload);

    await expect(roundTrip(9, 'x')).rejects.toMatchObject({ code: 'Failed', message: expect.stringMatching(/refused/i) });
  });
});
