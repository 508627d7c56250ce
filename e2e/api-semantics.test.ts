/**
 * API semantics clients depend on, against a real `tug server` and redis-server: optimistic
 * concurrency, watch resumption and expiry (and kubectl relisting by itself), durability across
 * restarts of Redis and the server, the official JS client, WebSocket watches, older kubectl.
 */
import { spawn } from 'node:child_process';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RESOURCES } from '../control-plane/api/registry.js';
import { ApiClient, ApiError, type WatchEventOf } from '../control-plane/client/api-client.js';
import { kubectl, kubectlBinary, kubectlOk } from './harness/kubectl.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const configmaps = RESOURCES.find((r) => r.plural === 'configmaps')!;
const pods = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;

let server: TugServer;
let client: ApiClient;

const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ metadata: { name }, data });

beforeAll(async () => {
  server = await startTugServer({ extraArgs: ['--watch-history', '50'] });
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') console.error(`tug server output:\n${server.logs()}`);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

/** Collects events of one watch until `count` arrived (or the timeout); stops the watch. */
async function collect(resourceVersion: string, count: number, timeoutMs = 3000): Promise<WatchEventOf[]> {
  const events: WatchEventOf[] = [];
  const stream = client.watch(configmaps, 'default', { resourceVersion }, (ev) => events.push(ev));
  stream.done.catch(() => {});
  try {
    await waitFor(() => events.length >= count, 'watch events', timeoutMs).catch(() => {});
    await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive
  } finally {
    stream.stop();
  }
  return events;
}

describe('optimistic concurrency', () => {
  it('two writers racing on one resourceVersion: exactly one wins, the other gets 409', async () => {
    const created = await client.create(configmaps, 'default', cm('race'));
    for (let round = 0; round < 10; round++) {
      const current = await client.get(configmaps, 'default', 'race');
      const results = await Promise.allSettled(
        ['x', 'y'].map((v) => client.update(configmaps, 'default', 'race', { ...current, data: { a: `${v}${round}` } })),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect((failed[0]!.reason as ApiError).code).toBe(409);
      expect((failed[0]!.reason as ApiError).status.message).toContain('the object has been modified');
    }
    expect(created.metadata.uid).toBeTruthy();
  });
});

describe('watch', () => {
  it('resumed from a retained resourceVersion gets exactly the missed events, in order', async () => {
    const a = await client.create(configmaps, 'default', cm('resume-a'));
    const from = a.metadata.resourceVersion;
    await client.create(configmaps, 'default', cm('resume-b'));
    await client.patch(configmaps, 'default', 'resume-b', 'merge', { data: { a: '2' } });
    await client.delete(configmaps, 'default', 'resume-a');
    const events = await collect(from, 3);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED resume-b', 'MODIFIED resume-b', 'DELETED resume-a']);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    expect(events[1]!.object.data.a).toBe('2');
  });

  it('from a trimmed resourceVersion answers an ERROR event with 410 Expired', async () => {
    const first = await client.create(configmaps, 'default', cm('trim-0'));
    for (let i = 1; i <= 80; i++) await client.create(configmaps, 'default', cm(`trim-${i}`));
    const events = await collect(first.metadata.resourceVersion, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('ERROR');
    expect(events[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('over WebSocket delivers the same events', async () => {
    const rv = (await client.list(configmaps, 'default')).metadata.resourceVersion;
    const url = `wss://127.0.0.1:${server.port}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`;
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${server.token}` }, ca: server.caCertPem });
    const messages: any[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    try {
      await client.create(configmaps, 'default', cm('over-ws'));
      await waitFor(() => messages.some((m) => m.type === 'ADDED' && m.object.metadata.name === 'over-ws'), 'websocket event');
    } finally {
      ws.close();
    }
  });

  it('kubectl relists by itself when its watch history expired while the server was down', async () => {
    await client.create(pods, 'default', { metadata: { name: 'waited' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const proc = spawn(kubectlBinary(), ['--kubeconfig', server.kubeconfig, 'wait', '--for=condition=Ready', 'pod/waited', '--timeout=120s', '-v=6'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? -1)));
    try {
      await waitFor(() => stderr.includes('Caches populated'), 'kubectl watching', 20_000);
      // Move the pods history far beyond what kubectl has seen, then take the server away.
      for (let i = 0; i < 80; i++) await client.create(pods, 'default', { metadata: { name: `filler-${i}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
      // A watch that ends within a second makes client-go relist at once instead of resuming: let it age.
      await new Promise((r) => setTimeout(r, 1500));
      await server.restart({ hard: true });
      await waitFor(() => /too old resource version/.test(stderr), 'kubectl seeing 410', 60_000).catch((err) => {
        throw new Error(`${(err as Error).message}: ${stderr.slice(-3000)}`);
      });
      await waitFor(() => stderr.split('Caches populated').length > 2, 'kubectl relisting', 30_000);
      const pod = await client.get(pods, 'default', 'waited');
      pod.status.conditions = [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z') }];
      await client.update(pods, 'default', 'waited', pod, 'status');
      expect(await exited).toBe(0);
      expect(stdout).toContain('pod/waited condition met');
    } finally {
      proc.kill('SIGKILL');
    }
  }, 120_000);
});

describe('durability', () => {
  it('restarting redis-server (AOF) and the server loses nothing, and resourceVersions keep increasing', async () => {
    await client.create(configmaps, 'default', cm('durable', { kept: 'yes' }));
    const before = await client.list(configmaps, 'default');
    await server.redis.restart();
    await server.restart();
    const after = await client.list(configmaps, 'default');
    expect(after.items.map((i: any) => `${i.metadata.name}@${i.metadata.resourceVersion}`).sort()).toEqual(
      before.items.map((i: any) => `${i.metadata.name}@${i.metadata.resourceVersion}`).sort(),
    );
    const next = await client.create(configmaps, 'default', cm('after-restart'));
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect((await client.get(configmaps, 'default', 'durable')).data.kept).toBe('yes');
  });
});

describe('clients', () => {
  it('@kubernetes/client-node lists, creates and watches pods', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    const watch = new Watch(kc);
    const controller = await watch.watch('/api/v1/namespaces/default/pods', {}, (type, obj: any) => seen.push(`${type} ${obj.metadata.name}`), () => {});
    try {
      const created = await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'from-js' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } } });
      expect(created.status?.phase).toBe('Pending');
      expect(created.spec?.restartPolicy).toBe('Always');
      const list = await core.listNamespacedPod({ namespace: 'default' });
      expect(list.items.map((p) => p.metadata?.name)).toContain('from-js');
      await waitFor(() => seen.includes('ADDED from-js'), 'client-node watch event');
    } finally {
      controller.abort();
    }
  });

  it('kubectl 1.29 (v2beta1 discovery, JSON bodies) works too', async () => {
    const run = (...args: string[]) => kubectlOk(server.kubeconfig, args, { version: '1.29' });
    expect(await run('api-resources')).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(await run('create', 'configmap', 'old-kubectl', '--from-literal=k=v')).toContain('configmap/old-kubectl created');
    expect(await run('get', 'cm', 'old-kubectl')).toMatch(/^old-kubectl\s+1\s+/m);
  });

  it('a body over 3 MiB is refused with 413', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024 + 1);
    const err = await client.create(configmaps, 'default', cm('too-big', { big })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(413);
    expect(err.status.kind).toBe('Status');
    const r = await kubectl(server.kubeconfig, ['get', 'cm', 'too-big']);
    expect(r.code).toBe(1);
  });
});
