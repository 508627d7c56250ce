/**
 * The scheduler against a real `tug server` (and its Redis), with simulated nodes: Node objects
 * with capacity and a Ready condition created through the API, no agent. The test plays the
 * kubelet where a pod must leave (preemption victims are force-deleted once terminating).
 * Pods name this test's own scheduler, so that a scheduler running inside the server leaves them be.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../api/registry.js';
import { ApiClient } from '../client/api-client.js';
import type { ControllerHandle } from '../client/controller.js';
import { EventRecorder } from '../client/event-recorder.js';
import { InformerFactory } from '../client/informer-factory.js';
import { kubectl } from '../../e2e/harness/kubectl.js';
import { startTugServer, type TugServer } from '../../e2e/harness/tug-server.js';
import { waitFor } from '../../e2e/harness/wait.js';
import { startScheduler } from './scheduler.js';

const SCHEDULER = 'tug-test-scheduler';
const NODES = storageResource('core/nodes');
const PODS = storageResource('core/pods');
const EVENTS = storageResource('core/events');
const PRIORITY_CLASSES = storageResource('scheduling.k8s.io/priorityclasses');
const CONTROL_PLANE_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

let server: TugServer;
let client: ApiClient;
let informers: InformerFactory;
let scheduler: ControllerHandle;

beforeAll(async () => {
  server = await startTugServer();
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  const logger = pino({ level: 'silent' });
  informers = new InformerFactory(client, logger);
  scheduler = startScheduler(
    { client, informers, logger, recorder: (component) => new EventRecorder(client, { component }, logger) },
    { schedulerName: SCHEDULER, podInitialBackoffMs: 200, podMaxBackoffMs: 1000 },
  );
  informers.start();
  await informers.waitForSync();
});

afterAll(async () => {
  await scheduler?.stop();
  informers?.stop();
  client?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const pod of (await client.list(PODS, 'default')).items) await client.delete(PODS, 'default', pod.metadata.name, { gracePeriodSeconds: 0 }).catch(() => undefined);
  for (const node of (await client.list(NODES)).items) await client.delete(NODES, undefined, node.metadata.name);
});

interface NodeOptions {
  cpu?: string;
  memory?: string;
  taints?: object[];
  labels?: Record<string, string>;
}

async function createNode(name: string, o: NodeOptions = {}): Promise<void> {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: '110' };
  await client.create(NODES, undefined, {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: o.taints ? { taints: o.taints } : {},
    status: {
      capacity: allocatable,
      allocatable,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated', lastHeartbeatTime: new Date().toISOString() }],
    },
  });
}

interface PodOptions {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  spec?: Record<string, unknown>;
}

async function createPod(name: string, o: PodOptions = {}): Promise<void> {
  const requests = { cpu: o.cpu ?? '100m', memory: o.memory ?? '128Mi' };
  await client.create(PODS, 'default', {
    metadata: { name, labels: o.labels },
    spec: { schedulerName: SCHEDULER, containers: [{ name: 'c', image: 'busybox', resources: { requests } }], ...o.spec },
  });
}

const getPod = (name: string) => client.get(PODS, 'default', name);

async function nodeOf(name: string, timeoutMs = 15_000): Promise<string> {
  let node = '';
  await waitFor(async () => Boolean((node = (await getPod(name)).spec.nodeName)), `pod ${name} bound`, timeoutMs);
  return node;
}

async function eventsOf(name: string, reason: string): Promise<any[]> {
  return (await client.list(EVENTS, 'default')).items.filter((e) => e.involvedObject?.name === name && e.reason === reason);
}

/** The PodScheduled condition once it says False, and the FailedScheduling event, with this message. */
async function expectUnschedulable(name: string, message: string): Promise<void> {
  await waitFor(async () => (await getPod(name)).status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.message === message), `PodScheduled=False on ${name}`);
  const condition = (await getPod(name)).status.conditions.find((c: any) => c.type === 'PodScheduled');
  expect(condition).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
  await waitFor(async () => (await eventsOf(name, 'FailedScheduling')).some((e) => e.message === message), `FailedScheduling event on ${name}`);
  const event = (await eventsOf(name, 'FailedScheduling')).find((e) => e.message === message);
  expect(event).toMatchObject({ type: 'Warning', source: { component: SCHEDULER } });
}

describe('scheduler', () => {
  it('binds pods, spreads them over equal nodes, and records Scheduled events', async () => {
    for (const n of ['n1', 'n2', 'n3']) await createNode(n);
    const names = Array.from({ length: 6 }, (_, i) => `spread-${i}`);
    for (const name of names) await createPod(name, { cpu: '500m', memory: '256Mi' });
    const placed = await Promise.all(names.map((n) => nodeOf(n)));
    const perNode = Object.values(placed.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n]: (acc[n] ?? 0) + 1 }), {}));
    expect(perNode).toEqual([2, 2, 2]);
    const pod = await getPod('spread-0');
    expect(pod.status.conditions.find((c: any) => c.type === 'PodScheduled')).toMatchObject({ status: 'True' });
    await waitFor(async () => (await eventsOf('spread-0', 'Scheduled')).length > 0, 'Scheduled event');
    expect((await eventsOf('spread-0', 'Scheduled'))[0].message).toBe(`Successfully assigned default/spread-0 to ${placed[0]}`);
  });

  it('keeps a pod too big for every node Pending with the summed reasons, and places it once a bigger node appears', async () => {
    await createNode('control-plane', { taints: [CONTROL_PLANE_TAINT] });
    await createNode('w1');
    await createNode('w2');
    await createPod('big', { memory: '64Gi' });
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    await expectUnschedulable('big', message);
    expect((await getPod('big')).status.phase).toBe('Pending');
    const described = await kubectl(server.kubeconfig, ['describe', 'pod', 'big']);
    expect(described.stdout).toContain('FailedScheduling');
    expect(described.stdout.replace(/\s+/g, ' ')).toContain('2 Insufficient memory.');

    await createNode('w-large', { memory: '128Gi' });
    expect(await nodeOf('big')).toBe('w-large');
  });

  it('keeps pods off tainted nodes unless they tolerate the taint', async () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    await createNode('gpu', { taints: [taint], labels: { accelerator: 'yes' } });
    await createNode('plain');
    const spec = { nodeSelector: { accelerator: 'yes' } };
    await createPod('intolerant', { spec });
    await expectUnschedulable(
      'intolerant',
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. " +
        'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
    await createPod('tolerant', { spec: { ...spec, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } });
    expect(await nodeOf('tolerant')).toBe('gpu');
  });

  it('spreads replicas with required anti-affinity, one per node', async () => {
    for (const n of ['a1', 'a2', 'a3']) await createNode(n);
    const antiAffinity = {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    };
    for (let i = 0; i < 4; i++) await createPod(`web-${i}`, { labels: { app: 'web' }, spec: antiAffinity });
    const bound: string[] = [];
    await waitFor(async () => {
      bound.length = 0;
      for (let i = 0; i < 4; i++) {
        const node = (await getPod(`web-${i}`)).spec.nodeName;
        if (node) bound.push(node);
      }
      return bound.length === 3;
    }, 'three replicas bound');
    expect(new Set(bound).size).toBe(3);
    const pending = [0, 1, 2, 3].map((i) => `web-${i}`);
    const left = [];
    for (const name of pending) if (!(await getPod(name)).spec.nodeName) left.push(name);
    expect(left).toHaveLength(1);
    await expectUnschedulable(
      left[0]!,
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
  });

  describe('priority and preemption', () => {
    beforeAll(async () => {
      await client.create(PRIORITY_CLASSES, undefined, { metadata: { name: 'test-low' }, value: 10 });
      await client.create(PRIORITY_CLASSES, undefined, { metadata: { name: 'test-high' }, value: 1000 });
      await client.create(PRIORITY_CLASSES, undefined, { metadata: { name: 'test-high-never' }, value: 1000, preemptionPolicy: 'Never' });
    });

    it('lets a high-priority pod preempt a low one', async () => {
      await createNode('small', { cpu: '2' });
      await createPod('low', { cpu: '1500m', spec: { priorityClassName: 'test-low' } });
      expect(await nodeOf('low')).toBe('small');
      await createPod('high', { cpu: '1500m', spec: { priorityClassName: 'test-high' } });
      // The victim is deleted with its grace period; as its kubelet, finish the deletion.
      await waitFor(async () => Boolean((await getPod('low')).metadata.deletionTimestamp), 'victim terminating');
      const victim = await getPod('low');
      expect(victim.status.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }));
      await waitFor(async () => (await getPod('high')).status?.nominatedNodeName === 'small', 'nominatedNodeName');
      expect((await getPod('high')).spec.nodeName).toBeUndefined();
      await client.delete(PODS, 'default', 'low', { gracePeriodSeconds: 0 });
      expect(await nodeOf('high')).toBe('small');
      const preempted = await client.list(EVENTS, 'default');
      expect(preempted.items.some((e) => e.reason === 'Preempted' && e.involvedObject?.name === 'low')).toBe(true);
    });

    it('does not preempt for a pod with preemptionPolicy Never', async () => {
      await createNode('small', { cpu: '2' });
      await createPod('low', { cpu: '1500m', spec: { priorityClassName: 'test-low' } });
      await nodeOf('low');
      await createPod('polite', { cpu: '1500m', spec: { priorityClassName: 'test-high-never' } });
      await expectUnschedulable('polite', '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
      expect((await getPod('low')).metadata.deletionTimestamp).toBeUndefined();
    });
  });
});
