// The streaming server against real Docker containers and a stub TokenReview endpoint, spoken to
// directly (HTTPS and WebSocket) the way the API server speaks to it.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiClient } from '../../control-plane/client/api-client.js';
import { buildBusyboxImage, createDockerRuntime } from '../runtime/docker/index.js';
import type { ContainerConfig, ContainerRuntime } from '../runtime/runtime.js';
import { startStreamingServer, type StreamingServer } from './server.js';
import { targetErrors, type StreamTargets } from './targets.js';

const BUSYBOX = 'tugboat/busybox:test';
const logger = pino({ level: 'silent' });
const suffix = randomBytes(3).toString('hex');
const PREFIX = `streaming-${suffix}.`;
const docker = new Docker();

/** Tokens the stub API server knows: an admin, and a user outside system:masters. */
const ADMIN = `admin-${suffix}`;
const NOBODY = `nobody-${suffix}`;

let runtime: ContainerRuntime;
let streaming: StreamingServer;
let reviews: http.Server;
let reviewCount = 0;
let sandboxId: string;
/** Container name → runtime ids, oldest attempt first. */
const containers = new Map<string, string[]>();

const targets: StreamTargets = {
  async containerFor(namespace, pod, container, previous) {
    if (namespace !== 'default' || pod !== 'web') return undefined;
    const ids = containers.get(container);
    if (!ids) throw targetErrors.containerNotFound(container, pod);
    if (previous) {
      if (ids.length < 2) throw targetErrors.previousNotFound(container, pod);
      return { containerId: ids[ids.length - 2]! };
    }
    return { containerId: ids[ids.length - 1]! };
  },
  async sandboxFor(namespace, pod) {
    return namespace === 'default' && pod === 'web' ? sandboxId : undefined;
  },
};

function containerConfig(name: string, attempt: number, command: string[], over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name,
    attempt,
    image: BUSYBOX,
    command,
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

async function run(name: string, command: string[], over: Partial<ContainerConfig> = {}): Promise<string> {
  const attempt = containers.get(name)?.length ?? 0;
  const id = await runtime.createContainer(sandboxId, containerConfig(name, attempt, command, over));
  await runtime.startContainer(id);
  containers.set(name, [...(containers.get(name) ?? []), id]);
  return id;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET on the streaming server; resolves with status and body once the body ended. */
function get(path: string, token?: string): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: streaming.port, path, rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
  });
}

interface Session {
  ws: WebSocket;
  /** Payload text per channel, in arrival order. */
  received: Map<number, string>;
  closed: Promise<number>;
}

/** Opens a WebSocket to the server; rejects with the HTTP status of a refused upgrade. */
function connect(path: string, protocol = 'v5.channel.k8s.io', token: string | null = ADMIN): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${streaming.port}${path}`, [protocol], { rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const received = new Map<number, string>();
    ws.on('message', (data: Buffer) => received.set(data[0]!, (received.get(data[0]!) ?? '') + data.subarray(1).toString('latin1')));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
    });
    ws.on('error', reject);
    ws.on('open', () => resolve({ ws, received, closed }));
  });
}

const send = (ws: WebSocket, channel: number, data: string | Buffer) => ws.send(Buffer.concat([Buffer.of(channel), Buffer.from(data)]));

beforeAll(async () => {
  await buildBusyboxImage(docker, BUSYBOX);
  runtime = await createDockerRuntime({ logger, labelPrefix: PREFIX });
  reviews = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      reviewCount++;
      const token = JSON.parse(body).spec.token;
      const user = token === ADMIN ? { username: 'admin', groups: ['system:masters'] } : token === NOBODY ? { username: 'nobody', groups: ['system:authenticated'] } : undefined;
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', status: user ? { authenticated: true, user } : { authenticated: false } }));
    });
  });
  await new Promise<void>((r) => reviews.listen(0, '127.0.0.1', r));
  const client = new ApiClient({ server: `http://127.0.0.1:${(reviews.address() as AddressInfo).port}`, token: 'agent' });
  const pod = { uid: randomUUID(), name: 'web', namespace: 'default' };
  sandboxId = await runtime.runPodSandbox({ pod, attempt: 0, hostname: 'web', hostNetwork: false, portMappings: [], cgroupParent: '', labels: {} });
  await run('app', ['sh', '-c', 'echo first run; exit 1']);
  await until('the first run to exit', async () => ((await runtime.containerStatus(containers.get('app')![0]!)).state === 'exited' ? true : undefined));
  await run('app', ['sh', '-c', 'echo one; echo two; echo three; trap "exit 0" TERM; while true; do sleep 1; done']);
  await run('web', ['sh', '-c', 'echo served > /tmp/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp']);
  streaming = await startStreamingServer({ port: 0, host: '127.0.0.1', runtime, targets, client, logger });
});

afterAll(async () => {
  await streaming?.close();
  reviews?.close();
  if (sandboxId) await runtime.removePodSandbox(sandboxId);
  const left = await docker.listContainers({ all: true, filters: { label: [`${PREFIX}io.tugboat.kind`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
});

describe('authentication', () => {
  it.each([
    ['no token', undefined, 401, 'Unauthorized'],
    ['an unknown token', 'wrong', 401, 'Unauthorized'],
    ['a user outside system:masters', NOBODY, 403, 'Forbidden (user=nobody'],
  ])('refuses %s: logs and upgrades', async (_what, token, status, message) => {
    const r = await get('/containerLogs/default/web/app', token);
    expect(r.status).toBe(status);
    expect(r.body).toContain(message);
    await expect(connect('/exec/default/web/app?command=true&stdout=true', 'v5.channel.k8s.io', token ?? null)).rejects.toMatchObject({ status });
  });

  it('asks the API server once per token within a minute', async () => {
    const before = reviewCount;
    await get('/containerLogs/default/web/app', ADMIN);
    await get('/containerLogs/default/web/app', ADMIN);
    expect(reviewCount - before).toBeLessThanOrEqual(1);
  });
});

describe('containerLogs', () => {
  it.each([
    ['', 'one\ntwo\nthree\n'],
    ['?tailLines=1', 'three\n'],
    ['?limitBytes=6', 'one\ntw'],
    ['?previous=true', 'first run\n'],
  ])('serves the log%s', async (query, expected) => {
    const r = await until('the log', async () => {
      const got = await get(`/containerLogs/default/web/app${query}`, ADMIN);
      return got.body === expected ? got : undefined;
    });
    expect(r).toMatchObject({ status: 200, type: 'text/plain' });
  });

  it('prefixes timestamps when asked', async () => {
    const r = await get('/containerLogs/default/web/app?timestamps=true&tailLines=1', ADMIN);
    expect(r.body).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/);
  });

  it('follows until the client leaves', async () => {
    const id = await run('follow', ['sh', '-c', 'echo start; sleep 1; echo later; sleep 600']);
    const lines = await new Promise<string>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: streaming.port, path: '/containerLogs/default/web/follow?follow=true', rejectUnauthorized: false, headers: { Authorization: `Bearer ${ADMIN}` } }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
          if (body.includes('later')) {
            req.destroy();
            resolve(body);
          }
        });
      });
      req.on('error', reject);
    });
    expect(lines).toBe('start\nlater\n');
    await runtime.stopContainer(id, 0);
  });

  it.each([
    ['/containerLogs/default/web/nope', 400, 'container "nope" in pod "web" is not available'],
    ['/containerLogs/default/web/web?previous=true', 400, 'previous terminated container "web" in pod "web" not found'],
    ['/containerLogs/default/other/app', 400, 'container "app" in pod "other" is not available'],
    ['/containerLogs/default/web/app?tailLines=x', 400, 'invalid value for query parameter tailLines'],
    ['/containerLogs/default/web/app?sinceSeconds=1&sinceTime=2024-01-01T00:00:00Z', 400, 'at most one of sinceTime or sinceSeconds'],
    ['/nowhere', 404, '404 page not found'],
    ['/exec/default/web/app?command=true', 400, 'Upgrade request required'],
  ])('refuses %s', async (path, status, message) => {
    const r = await get(path, ADMIN);
    expect(r.status).toBe(status);
    expect(r.body).toContain(message);
  });
});

describe('exec and attach', () => {
  it('runs a command and reports its exit code on the error channel', async () => {
    const s = await connect(`/exec/default/web/app?command=sh&command=-c&command=${encodeURIComponent('echo out; echo err >&2; exit 3')}&stdout=true&stderr=true`);
    expect(await s.closed).toBe(1000);
    expect(s.received.get(1)).toBe('out\n');
    expect(s.received.get(2)).toBe('err\n');
    expect(JSON.parse(s.received.get(3)!)).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c echo out; echo err >&2; exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('feeds stdin until the v5 close signal', async () => {
    const s = await connect('/exec/default/web/app?command=cat&stdin=true&stdout=true&stderr=true');
    send(s.ws, 0, 'piped\n');
    s.ws.send(Buffer.of(255, 0));
    expect(await s.closed).toBe(1000);
    expect(s.received.get(1)).toBe('piped\n');
    expect(JSON.parse(s.received.get(3)!)).toEqual({ metadata: {}, status: 'Success' });
  });

  it('takes megabytes of stdin and still ends at once', async () => {
    const s = await connect('/exec/default/web/app?command=wc&command=-c&stdin=true&stdout=true&stderr=true');
    const big = Buffer.alloc(3 * 1024 * 1024, 120);
    for (let i = 0; i < big.length; i += 32768) send(s.ws, 0, big.subarray(i, i + 32768));
    s.ws.send(Buffer.of(255, 0));
    expect(await s.closed).toBe(1000);
    expect(s.received.get(1)).toBe(`${big.length}\n`);
  });

  it('speaks v4 too, and gives a terminal to tty sessions', async () => {
    const s = await connect('/exec/default/web/app?command=sh&stdin=true&stdout=true&tty=true', 'v4.channel.k8s.io');
    expect(s.ws.protocol).toBe('v4.channel.k8s.io');
    send(s.ws, 4, JSON.stringify({ Width: 100, Height: 40 }));
    // The resize reaches the terminal asynchronously: look a few times before reporting.
    send(s.ws, 0, 'for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(stty size)" = "40 100" ] && break; sleep 0.1; done; stty size; exit 5\n');
    expect(await s.closed).toBe(1000);
    // stty's own line (the terminal echoes the command too, where "40 100" stands quoted).
    expect(s.received.get(1)).toMatch(/^40 100\r?$/m);
    expect(JSON.parse(s.received.get(3)!).details.causes[0].message).toBe('5');
  });

  it("attaches to the container's output", async () => {
    const id = await run('talker', ['sh', '-c', 'sleep 1; echo hello from main; sleep 1']);
    const s = await connect('/attach/default/web/talker?stdout=true&stderr=true');
    expect(await s.closed).toBe(1000);
    expect(s.received.get(1)).toBe('hello from main\n');
    expect(JSON.parse(s.received.get(3)!)).toEqual({ metadata: {}, status: 'Success' });
    await runtime.removeContainer(id);
  });

  it.each([
    ['/exec/default/web/app?stdout=true', 400, 'you must specify at least one command'],
    ['/exec/default/web/app?command=true', 400, 'you must specify at least 1 of stdin, stdout, stderr'],
    ['/exec/default/web/nope?command=true&stdout=true', 400, 'container "nope" in pod "web" is not available'],
    ['/exec/default/gone/app?command=true&stdout=true', 400, 'container "app" in pod "gone" is not available'],
  ])('refuses %s before upgrading', async (path, status, message) => {
    await expect(connect(path)).rejects.toMatchObject({ status, message: expect.stringContaining(message) });
  });

  it('refuses clients without a channel protocol', async () => {
    await expect(connect('/exec/default/web/app?command=true&stdout=true', 'chat')).rejects.toMatchObject({ status: 400 });
  });
});

describe('portForward', () => {
  it('forwards a connection to a port of the pod, half-close included', async () => {
    const page = await until('the web server', async () => {
      const s = await connect('/portForward/default/web?port=8080');
      send(s.ws, 0, 'GET /index.html HTTP/1.0\r\n\r\n');
      s.ws.send(Buffer.of(255, 0));
      expect(await s.closed).toBe(1000);
      const data = Buffer.from(s.received.get(0)!, 'latin1');
      expect(data.readUInt16LE(0)).toBe(8080);
      expect(Buffer.from(s.received.get(1)!, 'latin1').readUInt16LE(0)).toBe(8080);
      const text = data.subarray(2).toString();
      return text.includes('served') ? text : undefined;
    });
    expect(page).toMatch(/^HTTP\/1\.[01] 200/);
  });

  it('reports a refused connection on the error channel', async () => {
    const s = await connect('/portForward/default/web?port=9');
    expect(await s.closed).toBe(1000);
    expect(Buffer.from(s.received.get(1)!, 'latin1').subarray(2).toString()).toMatch(/^error forwarding port 9 to pod default\/web: .*refused/i);
  });

  it.each([
    ['/portForward/default/web', 400, 'query parameter "port" is required'],
    ['/portForward/default/web?port=70000', 400, 'invalid port "70000"'],
    ['/portForward/default/gone?port=80', 404, 'pod "gone" not found'],
  ])('refuses %s', async (path, status, message) => {
    await expect(connect(path)).rejects.toMatchObject({ status, message: expect.stringContaining(message) });
  });
});
