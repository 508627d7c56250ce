/**
 * The ReplicaSet controller against a real API server (real redis-server), with a fake kubelet
 * that binds and starts its pods: creation from the template, status, events, scale down order,
 * adoption and release, replacement of deleted pods, no over-creation, minReadySeconds.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTugServer, type TugServer } from '../../e2e/harness/tug-server.js';
import { waitFor } from '../../e2e/harness/wait.js';
import { storageResource } from '../api/registry.js';
import type { ApiClient } from '../client/api-client.js';
import { Informer } from '../client/informer.js';
import { startControllerTestEnv, type ControllerTestEnv } from './deployment/test-env.js';

const replicaSets = storageResource('apps/replicasets');
const pods = storageResource('core/pods');
const events = storageResource('core/events');
const namespaces = storageResource('core/namespaces');

let server: TugServer;
let env: ControllerTestEnv;
let client: ApiClient;

beforeAll(async () => {
  // The test runs the controllers under test itself; the server runs only the basic ones.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  env = await startControllerTestEnv(server, { deployments: false, kubelet: { startDelayMs: 100 } });
  client = env.client;
}, 120_000);

afterAll(async () => {
  await env?.stop();
  await server?.stop();
});

let nsCount = 0;
async function namespace(): Promise<string> {
  const name = `rs-test-${++nsCount}`;
  await client.create(namespaces, undefined, { metadata: { name } });
  return name;
}

function replicaSet(ns: string, name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } },
      ...extra,
    },
  };
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const active = (ps: Pod[]) => ps.filter((p) => !p.metadata?.deletionTimestamp);

async function podsOf(ns: string, selector: string): Promise<Pod[]> {
  return (await client.list<Pod>(pods, ns, { labelSelector: selector })).items;
}

async function getRs(ns: string, name: string): Promise<ReplicaSet> {
  return client.get<ReplicaSet>(replicaSets, ns, name);
}

async function waitForStatus(ns: string, name: string, want: Partial<NonNullable<ReplicaSet['status']>>, timeoutMs = 15_000): Promise<ReplicaSet> {
  let last: ReplicaSet | undefined;
  await waitFor(
    async () => {
      last = await getRs(ns, name);
      return Object.entries(want).every(([k, v]) => ((last!.status as any)?.[k] ?? 0) === v);
    },
    `status of ${name} to reach ${JSON.stringify(want)}`,
    timeoutMs,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last?.status)}`);
  });
  return last!;
}

async function eventsOf(ns: string, reason: string): Promise<string[]> {
  const list = await client.list<any>(events, ns);
  return list.items.filter((e) => e.reason === reason).map((e) => e.message);
}

describe('ReplicaSet controller', () => {
  it('creates the replicas from its template, owned by it, and reports them Ready', async () => {
    const ns = await namespace();
    const rs = await client.create<ReplicaSet>(replicaSets, ns, replicaSet(ns, 'web', 3));
    const status = await waitForStatus(ns, 'web', { replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3 });
    expect(status.status!.observedGeneration).toBe(rs.metadata!.generation);
    const ps = await podsOf(ns, 'app=web');
    expect(ps).toHaveLength(3);
    for (const p of ps) {
      expect(p.metadata!.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata!.labels).toEqual({ app: 'web', tier: 'web' });
      expect(p.metadata!.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec!.nodeName).toBe(env.nodeName);
    }
    await waitFor(async () => (await eventsOf(ns, 'SuccessfulCreate')).length === 3, 'SuccessfulCreate events');
    expect((await eventsOf(ns, 'SuccessfulCreate')).sort()).toEqual(ps.map((p) => `Created pod: ${p.metadata!.name}`).sort());
  });

  it('creates exactly as many pods as asked for (expectations hold back a lagging cache)', async () => {
    const ns = await namespace();
    const created = new Set<string>();
    let maxActive = 0;
    const watcher = new Informer<Pod & { metadata: NonNullable<Pod['metadata']> }>(client, pods, pino({ level: 'silent' }), { namespace: ns });
    const track = () => {
      for (const p of watcher.list()) created.add(p.metadata.uid!);
      maxActive = Math.max(maxActive, active(watcher.list()).length);
    };
    watcher.addHandlers({ onAdd: track, onUpdate: track });
    watcher.start();
    await watcher.waitForSync();
    try {
      await client.create(replicaSets, ns, replicaSet(ns, 'burst', 20));
      await waitForStatus(ns, 'burst', { replicas: 20, readyReplicas: 20 }, 30_000);
      expect(created.size).toBe(20);
      expect(maxActive).toBe(20);
    } finally {
      watcher.stop();
    }
  });

  it('scales down by deleting the pods earliest in their start-up (not Ready first)', async () => {
    const ns = await namespace();
    await client.create(replicaSets, ns, replicaSet(ns, 'shrink', 3));
    await waitForStatus(ns, 'shrink', { readyReplicas: 3 });
    const [victim] = await podsOf(ns, 'app=shrink');
    const conditions = victim!.status!.conditions!.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' } : c));
    await client.patch(pods, ns, victim!.metadata!.name!, 'merge', { status: { conditions } }, { subresource: 'status' });
    await waitForStatus(ns, 'shrink', { readyReplicas: 2 });
    await client.patch(replicaSets, ns, 'shrink', 'merge', { spec: { replicas: 2 } });
    await waitForStatus(ns, 'shrink', { replicas: 2, readyReplicas: 2 });
    await waitFor(async () => !(await podsOf(ns, 'app=shrink')).some((p) => p.metadata!.uid === victim!.metadata!.uid), 'the not-Ready pod is gone');
    expect(await eventsOf(ns, 'SuccessfulDelete')).toEqual([`Deleted pod: ${victim!.metadata!.name}`]);
  });

  it('adopts a matching orphan, and releases a pod whose labels stop matching', async () => {
    const ns = await namespace();
    const orphan = await client.create<Pod>(pods, ns, { metadata: { name: 'orphan', namespace: ns, labels: { app: 'adopt', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } });
    // As upstream, a ReplicaSet adopts what its controller's cache holds: let the orphan reach it first.
    await waitFor(() => env.informers.of('core/pods').get(`${ns}/orphan`) !== undefined, 'the orphan in the controller cache');
    const rs = await client.create<ReplicaSet>(replicaSets, ns, replicaSet(ns, 'adopt', 2));
    await waitForStatus(ns, 'adopt', { replicas: 2, readyReplicas: 2 });
    const adopted = await client.get<Pod>(pods, ns, 'orphan');
    expect(adopted.metadata!.uid).toBe(orphan.metadata!.uid);
    expect(adopted.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', name: 'adopt', uid: rs.metadata!.uid, controller: true })]);
    expect(await podsOf(ns, 'app=adopt')).toHaveLength(2);

    await client.patch(pods, ns, 'orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor(async () => !(await client.get<Pod>(pods, ns, 'orphan')).metadata!.ownerReferences?.length, 'the pod is released');
    // The status still says 2 until the controller has seen the release: wait for the replacement itself.
    await waitFor(async () => active(await podsOf(ns, 'app=adopt')).length === 2, 'a replacement for the released pod');
    await waitForStatus(ns, 'adopt', { replicas: 2, readyReplicas: 2 });
    const owned = active(await podsOf(ns, 'app=adopt'));
    expect(owned).toHaveLength(2);
    expect(owned.map((p) => p.metadata!.name)).not.toContain('orphan');
  });

  it('replaces a deleted pod; a bare pod is left alone', async () => {
    const ns = await namespace();
    await client.create(replicaSets, ns, replicaSet(ns, 'heal', 2));
    await waitForStatus(ns, 'heal', { readyReplicas: 2 });
    const bare = await client.create<Pod>(pods, ns, { metadata: { name: 'bare', namespace: ns, labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } });
    const [first] = await podsOf(ns, 'app=heal');
    await client.delete(pods, ns, first!.metadata!.name!);
    await waitFor(async () => {
      const now = active(await podsOf(ns, 'app=heal'));
      return now.length === 2 && now.every((p) => p.metadata!.uid !== first!.metadata!.uid && isReady(p));
    }, 'a Ready replacement');
    await client.delete(pods, ns, 'bare');
    await waitFor(async () => (await client.list<Pod>(pods, ns, { labelSelector: 'app=other' })).items.length === 0, 'the bare pod is gone');
    await new Promise((r) => setTimeout(r, 500));
    expect((await client.list<Pod>(pods, ns, { labelSelector: 'app=other' })).items).toEqual([]);
    expect(bare.metadata!.ownerReferences).toBeUndefined();
  });

  it('counts pods as available only after minReadySeconds', async () => {
    const ns = await namespace();
    await client.create(replicaSets, ns, replicaSet(ns, 'slow', 2, { minReadySeconds: 2 }));
    const early = await waitForStatus(ns, 'slow', { readyReplicas: 2 });
    expect(early.status!.availableReplicas ?? 0).toBe(0);
    await waitForStatus(ns, 'slow', { readyReplicas: 2, availableReplicas: 2 }, 10_000);
  });
});
