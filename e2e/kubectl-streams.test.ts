/**
 * `kubectl logs|exec|attach|port-forward` end to end: real kubectl (1.33, and 1.29 for the SPDY
 * fallbacks) → a real `tug server` → the agent's streaming server → real Docker containers. The
 * test plays the pod manager: it runs the pod's containers itself and maps names to container ids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, createDockerRuntime } from '../agent/runtime/docker/index.js';
import type { ContainerConfig, ContainerRuntime } from '../agent/runtime/runtime.js';
import { startStreamingServer, targetErrors, type StreamingServer, type StreamTargets } from '../agent/streaming/index.js';
import { ApiClient } from '../control-plane/client/api-client.js';
import { kubectl, kubectlBinary } from './harness/kubectl.js';
import { freePort, startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const BUSYBOX = 'tugboat/busybox:test';
const logger = pino({ level: 'silent' });
const suffix = randomBytes(3).toString('hex');
const PREFIX = `e2e-streams-${suffix}.`;
const POD = `streams-${suffix}`;
const NODE = `node-${suffix}`;
const docker = new Docker();
const pods = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const nodes = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

let server: TugServer;
let client: ApiClient;
let runtime: ContainerRuntime;
let streaming: StreamingServer;
let sandboxId: string | undefined;
/** Container name → runtime ids, oldest attempt first. */
const containers = new Map<string, string[]>();
const children = new Set<ChildProcess>();

const targets: StreamTargets = {
  async containerFor(namespace, pod, container, previous) {
    if (namespace !== 'default' || pod !== POD) return undefined;
    const ids = containers.get(container);
    if (!ids) throw targetErrors.containerNotFound(container, pod);
    if (!previous) return { containerId: ids[ids.length - 1]! };
    if (ids.length < 2) throw targetErrors.previousNotFound(container, pod);
    return { containerId: ids[ids.length - 2]! };
  },
  async sandboxFor(namespace, pod) {
    return namespace === 'default' && pod === POD ? sandboxId : undefined;
  },
};

/** The app prints three lines, then whatever lands in /tmp/say; web serves /www on :80; echoer answers stdin. */
const SPECS: { name: string; command: string[]; stdin?: boolean }[] = [
  { name: 'app', command: ['sh', '-c', 'echo one; echo two; echo three; while true; do if [ -f /tmp/say ]; then cat /tmp/say; rm /tmp/say; fi; sleep 0.2; done'] },
  { name: 'web', command: ['sh', '-c', 'mkdir -p /www && echo "hello through port-forward" > /www/index.html && head -c 4194304 /dev/zero > /www/big && exec httpd -f -p 80 -h /www'] },
  { name: 'echoer', command: ['sh', '-c', 'while read line; do echo "got $line"; done'], stdin: true },
];

function containerConfig(name: string, attempt: number, command: string[], stdin = false): ContainerConfig {
  return {
    name,
    attempt,
    image: BUSYBOX,
    command,
    env: [],
    mounts: [],
    resources: { cpuShares: 2, cpuQuotaUs: 0, cpuPeriodUs: 100_000, memoryLimitBytes: 0, memorySwapLimitBytes: 0 },
    tty: false,
    stdin,
    stdinOnce: false,
    labels: {},
    annotations: {},
  };
}

async function run(name: string, command: string[], stdin = false): Promise<string> {
  const attempt = containers.get(name)?.length ?? 0;
  const id = await runtime.createContainer(sandboxId!, containerConfig(name, attempt, command, stdin));
  await runtime.startContainer(id);
  containers.set(name, [...(containers.get(name) ?? []), id]);
  return id;
}

const k = (args: string[], opts: { input?: string; version?: string } = {}) => kubectl(server.kubeconfig, args, { timeoutMs: 30_000, ...opts });

/** A long-running kubectl whose output is collected; killed (SIGKILL) in afterAll at the latest. */
function spawnKubectl(args: string[], version = '1.33'): { proc: ChildProcess; output: () => string } {
  const proc = spawn(kubectlBinary(version), ['--kubeconfig', server.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  return { proc, output: () => out };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

/** GET http://127.0.0.1:port/path on a fresh connection. */
function fetchLocal(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

/** Runs `kubectl port-forward` with `version`, fetches `paths` through it (one connection each), stops it. */
async function portForward(version: string, paths: string[]): Promise<string[]> {
  const local = await freePort();
  const pf = spawnKubectl(['port-forward', `pod/${POD}`, `${local}:80`], version);
  try {
    await waitFor(() => pf.output().includes(`Forwarding from 127.0.0.1:${local}`), 'port-forward to listen', 20_000);
    const bodies = [];
    for (const path of paths) bodies.push(await fetchLocal(local, path));
    return bodies;
  } finally {
    await stop(pf.proc);
  }
}

beforeAll(async () => {
  await buildBusyboxImage(docker, BUSYBOX);
  server = await startTugServer();
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  runtime = await createDockerRuntime({ logger, labelPrefix: PREFIX });
  sandboxId = await runtime.runPodSandbox({ pod: { uid: randomUUID(), name: POD, namespace: 'default' }, attempt: 0, hostname: POD, hostNetwork: false, portMappings: [], cgroupParent: '', labels: {} });
  // A first attempt of app that already ended, for --previous.
  const first = await run('app', ['sh', '-c', 'echo first run; exit 1']);
  await waitFor(async () => (await runtime.containerStatus(first)).state === 'exited', 'the first run to exit');
  for (const spec of SPECS) await run(spec.name, spec.command, spec.stdin);
  streaming = await startStreamingServer({ port: 0, host: '127.0.0.1', runtime, targets, client, logger });

  await client.create(nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
  await client.patch(nodes, undefined, NODE, 'merge', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: streaming.port } } } }, { subresource: 'status' });
  await client.create(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD },
    spec: { nodeName: NODE, containers: SPECS.map((s) => ({ name: s.name, image: BUSYBOX, command: s.command, ...(s.stdin ? { stdin: true } : {}) })) },
  });
  await client.patch(pods, 'default', POD, 'merge', { status: { phase: 'Running' } }, { subresource: 'status' });
});

afterAll(async () => {
  for (const proc of children) await stop(proc);
  await streaming?.close();
  if (sandboxId) await runtime.removePodSandbox(sandboxId);
  const left = await docker.listContainers({ all: true, filters: { label: [`${PREFIX}io.tugboat.kind`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  client?.close();
  await server?.stop();
});

describe('kubectl logs', () => {
  it.each([
    [[], 'one\ntwo\nthree\n'],
    [['--tail=1'], 'three\n'],
    [['--since=1h'], 'one\ntwo\nthree\n'],
    [['--limit-bytes=4'], 'one\n'],
    [['--previous'], 'first run\n'],
  ])('logs -c app %j', async (flags, expected) => {
    const r = await k(['logs', POD, '-c', 'app', ...flags]);
    expect(r).toMatchObject({ code: 0, stdout: expected });
  });

  it('prefixes RFC 3339 timestamps with --timestamps', async () => {
    const r = await k(['logs', POD, '-c', 'app', '--timestamps', '--tail=2']);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z two\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/);
  });

  it('follows with -f: a line written after it started arrives', async () => {
    const follow = spawnKubectl(['logs', '-f', POD, '-c', 'app']);
    try {
      await waitFor(() => follow.output().includes('three\n'), 'the existing lines', 20_000);
      await runtime.execSync(containers.get('app')!.at(-1)!, ['sh', '-c', 'echo later > /tmp/say.new && mv /tmp/say.new /tmp/say'], 10);
      await waitFor(() => follow.output().includes('later\n'), 'the new line', 20_000);
      expect(follow.proc.exitCode).toBeNull();
    } finally {
      await stop(follow.proc);
    }
  });

  it('reports the refusal of --previous as upstream does', async () => {
    const r = await k(['logs', POD, '-c', 'web', '--previous']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`Error from server (BadRequest): previous terminated container "web" in pod "${POD}" not found`);
  });

  it('is checked by the API server: container name, defaulting, options', async () => {
    const log = (query: Record<string, string | number>) => client.request('GET', `/api/v1/namespaces/default/pods/${POD}/log`, { query });
    await expect(log({ container: 'nope' })).rejects.toMatchObject({ code: 400, message: `container nope is not valid for pod ${POD}` });
    await expect(log({})).rejects.toMatchObject({ code: 400, message: `a container name must be specified for pod ${POD}, choose one of: [app web echoer]` });
    await expect(log({ container: 'app', tailLines: -1 })).rejects.toMatchObject({ code: 422, message: `PodLogOptions "${POD}" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0` });
    expect(await log({ container: 'app', limitBytes: 3 })).toBe('one');
  });
});

describe('kubectl exec', () => {
  it.each(['1.33', '1.29'])('%s: prints the output and exits with the command exit code', async (version) => {
    const r = await k(['exec', POD, '-c', 'app', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 3'], { version });
    expect(r).toMatchObject({ code: 3, stdout: 'hi\n', stderr: 'oops\ncommand terminated with exit code 3\n' });
  });

  it.each(['1.33', '1.29'])('%s: -i feeds piped stdin to the command until EOF', async (version) => {
    const r = await k(['exec', '-i', POD, '-c', 'app', '--', 'sh', '-c', 'cat; echo done'], { version, input: 'piped-input\nsecond line\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'piped-input\nsecond line\ndone\n' });
  });

  it.each(['1.33', '1.29'])('%s: -i carries megabytes of stdin', async (version) => {
    const r = await k(['exec', '-i', POD, '-c', 'app', '--', 'wc', '-c'], { version, input: 'x'.repeat(3 * 1024 * 1024) });
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toBe(String(3 * 1024 * 1024));
  });

  it.each(['1.33', '1.29'])('%s: -it gives the command a terminal', async (version) => {
    const command = `${kubectlBinary(version)} --kubeconfig ${server.kubeconfig} exec -it ${POD} -c app -- sh -c 'test -t 0 && test -t 1 && echo tty-ok; exit 4'`;
    const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(proc);
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
    expect(out).toContain('tty-ok');
    expect(code).toBe(4);
  });

  it('reports a pod without a node as upstream does', async () => {
    const name = `unbound-${suffix}`;
    await client.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: BUSYBOX }] } });
    try {
      const r = await k(['exec', name, '--', 'true']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Error from server (BadRequest): pod ${name} does not have a host assigned`);
      expect(await k(['logs', name])).toMatchObject({ code: 0, stdout: '' });
    } finally {
      await client.delete(pods, 'default', name, { gracePeriodSeconds: 0 });
    }
  });
});

describe('kubectl attach', () => {
  it("-i sends stdin to the container's process and shows its output", async () => {
    const attach = spawnKubectl(['attach', '-i', POD, '-c', 'echoer']);
    try {
      // The attach is up once the agent took it; lines sent before reach the process too.
      attach.proc.stdin!.write('hello\n');
      await waitFor(() => attach.output().includes('got hello'), 'the echo', 20_000);
    } finally {
      await stop(attach.proc);
    }
  });
});

describe('kubectl port-forward', () => {
  it.each(['1.33', '1.29'])('%s: forwards two connections to the pod port', async (version) => {
    const bodies = await portForward(version, ['/', '/']);
    expect(bodies).toEqual(['hello through port-forward\n', 'hello through port-forward\n']);
  });

  it.each(['1.33', '1.29'])('%s: carries megabytes, past any flow-control window', async (version) => {
    const [big] = await portForward(version, ['/big']);
    expect(big!.length).toBe(4 * 1024 * 1024);
  });
});

describe('protocols', () => {
  it('kubectl 1.33 execs and port-forwards over WebSockets, without falling back to SPDY', async () => {
    const exec = await k(['exec', POD, '-c', 'app', '-v=6', '--', 'echo', 'hi']);
    expect(exec.stderr).toContain('The subprotocol is v5.channel.k8s.io');
    expect(exec.stderr).not.toMatch(/fallback/i);
    const local = await freePort();
    const pf = spawnKubectl(['port-forward', `pod/${POD}`, `${local}:80`, '-v=6']);
    try {
      await waitFor(() => pf.output().includes(`Forwarding from 127.0.0.1:${local}`), 'port-forward to listen', 20_000);
      expect(await fetchLocal(local)).toBe('hello through port-forward\n');
    } finally {
      await stop(pf.proc);
    }
    expect(pf.output()).toMatch(/verb="GET" url="[^"]*\/portforward" status="101 Switching Protocols"/);
    expect(pf.output()).not.toMatch(/fallback/i);
  });
});

describe('the agent', () => {
  it('refuses callers without a valid token', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: streaming.port, path: `/containerLogs/default/${POD}/app`, rejectUnauthorized: false, headers: { Authorization: 'Bearer not-a-token' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(401);
  });
});
