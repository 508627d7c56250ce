/**
 * The DaemonSet controller against a real API server, with Node objects, a stand-in binder that
 * honours the pods' node affinity and a fake kubelet (control-plane/controllers/history/
 * controller-harness.ts): one pod per eligible node, taints and tolerations, nodes coming and
 * going, rolling updates with maxUnavailable and maxSurge, OnDelete, failed pods, and
 * `kubectl rollout status|history|undo`. Each test selects its own nodes by a `pool` label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { RESOURCES } from '../../api/registry.js';
import type { ApiClient } from '../../client/api-client.js';
import { controllerHarness, createNode, FakeKubelet, nodeType, podType, TestBinder, type ControllerHarness } from '../history/controller-harness.js';
import { startDaemonSetController } from './controller.js';

const daemonSets = RESOURCES.find((r) => r.plural === 'daemonsets')!;
const revisionType = RESOURCES.find((r) => r.plural === 'controllerrevisions')!;
const namespaceType = RESOURCES.find((r) => r.plural === 'namespaces')!;
const eventType = RESOURCES.find((r) => r.plural === 'events' && r.group === '')!;

let server: TugServer;
let harness: ControllerHarness;
let client: ApiClient;
let binder: TestBinder;
let kubelet: FakeKubelet;

beforeAll(async () => {
  // The test runs the controllers under test itself; the server runs only the basic ones.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  harness = controllerHarness(server);
  client = harness.client;
  binder = new TestBinder(client);
  kubelet = new FakeKubelet(client, () => 'all');
  await binder.start();
  await kubelet.start();
  await harness.run(startDaemonSetController);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  await kubelet?.stop();
  await binder?.stop();
  await server?.stop();
});

async function namespace(name: string): Promise<string> {
  await client.create(namespaceType, undefined, { metadata: { name } });
  return name;
}

function daemonSet(ns: string, name: string, pool: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): any {
  return {
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { pool }, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'agent:1' }], ...podSpec },
      },
      ...spec,
    },
  };
}

const livePods = async (ns: string) => (await client.list(podType, ns)).items.filter((p) => !p.metadata.deletionTimestamp);
const getDs = (ns: string, name: string) => client.get(daemonSets, ns, name);
const isReady = (p: any) => p?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const image = (p: any) => p.spec.containers[0].image;

/** node name → images of the live pods bound there, both sorted. */
async function podsByNode(ns: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const pods = (await livePods(ns)).sort((a, b) => ((a.spec.nodeName ?? '') < (b.spec.nodeName ?? '') ? -1 : 1));
  for (const p of pods) (out[p.spec.nodeName ?? '(unbound)'] ??= []).push(image(p));
  for (const list of Object.values(out)) list.sort();
  return out;
}

async function waitRolledOut(ns: string, name: string, desired: number): Promise<any> {
  let ds: any;
  await waitFor(async () => {
    ds = await getDs(ns, name);
    const s = ds.status ?? {};
    return s.observedGeneration === ds.metadata.generation && s.desiredNumberScheduled === desired && s.updatedNumberScheduled === desired && s.numberAvailable === desired && s.currentNumberScheduled === desired;
  }, `${name} rolled out on ${desired} nodes`, 20_000);
  return ds;
}

describe('placement', () => {
  it('runs one pod per eligible node, none on a node with an untolerated taint, pinned by node affinity', async () => {
    const ns = await namespace('ds-place');
    await createNode(client, 'place-a', { labels: { pool: 'place' } });
    await createNode(client, 'place-b', { labels: { pool: 'place' } });
    await createNode(client, 'place-c', { labels: { pool: 'place' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    await createNode(client, 'place-d', { labels: { pool: 'other' } });
    await client.create(daemonSets, ns, daemonSet(ns, 'agent', 'place'));
    const ds = await waitRolledOut(ns, 'agent', 2);
    expect(await podsByNode(ns)).toEqual({ 'place-a': ['agent:1'], 'place-b': ['agent:1'] });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, numberMisscheduled: 0, numberUnavailable: 0 });

    const pod = (await livePods(ns)).find((p) => p.spec.nodeName === 'place-a');
    expect(pod.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['place-a'] }] }] });
    expect(pod.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    const revision = (await client.list(revisionType, ns)).items[0];
    expect(pod.metadata.labels).toEqual({ app: 'agent', 'controller-revision-hash': revision.metadata.labels['controller-revision-hash'], 'pod-template-generation': '1' });
    expect(revision.metadata.name).toBe(`agent-${revision.metadata.labels['controller-revision-hash']}`);

    const events = (await client.list(eventType, ns, { fieldSelector: 'involvedObject.name=agent' })).items;
    expect(events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message).sort()).toEqual(
      (await livePods(ns)).map((p) => `Created pod: ${p.metadata.name}`).sort(),
    );

    // A DaemonSet that tolerates the taint runs there too.
    await client.create(daemonSets, ns, daemonSet(ns, 'tolerant', 'place', {}, { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }));
    await waitRolledOut(ns, 'tolerant', 3);
    const tolerant = (await livePods(ns)).filter((p) => p.metadata.labels.app === 'tolerant').map((p) => p.spec.nodeName);
    expect(tolerant.sort()).toEqual(['place-a', 'place-b', 'place-c']);
  });
});

describe('nodes coming and going', () => {
  it('adds a pod for a new node and removes pods from nodes that no longer qualify', async () => {
    const ns = await namespace('ds-nodes');
    await createNode(client, 'move-a', { labels: { pool: 'move' } });
    await client.create(daemonSets, ns, daemonSet(ns, 'mover', 'move'));
    await waitRolledOut(ns, 'mover', 1);

    await createNode(client, 'move-b', { labels: { pool: 'move' } });
    await waitRolledOut(ns, 'mover', 2);
    expect(Object.keys(await podsByNode(ns)).sort()).toEqual(['move-a', 'move-b']);

    // The label goes: the pod goes.
    await client.patch(nodeType, undefined, 'move-b', 'merge', { metadata: { labels: { pool: null } } });
    await waitFor(async () => Object.keys(await podsByNode(ns)).join() === 'move-a', 'pod on move-b removed');
    // A NoSchedule taint keeps a running pod; a NoExecute taint removes it.
    await client.patch(nodeType, undefined, 'move-a', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] } });
    await sleep(600);
    expect(Object.keys(await podsByNode(ns))).toEqual(['move-a']);
    let ds = await getDs(ns, 'mover');
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 });
    await client.patch(nodeType, undefined, 'move-a', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    await waitFor(async () => (await livePods(ns)).length === 0, 'pod on the NoExecute node removed');

    await client.patch(nodeType, undefined, 'move-a', 'merge', { spec: { taints: null } });
    await waitRolledOut(ns, 'mover', 1);
    await client.delete(nodeType, undefined, 'move-a');
    await waitFor(async () => (await getDs(ns, 'mover')).status.desiredNumberScheduled === 0, 'a deleted node is no longer counted');
    ds = await getDs(ns, 'mover');
    expect(ds.status.currentNumberScheduled).toBe(0);
  });
});

describe('updates', () => {
  const update = (ns: string, name: string, img: string) =>
    client.patch(daemonSets, ns, name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: img }] } } } });

  it('rolls node by node within maxUnavailable, and serves kubectl rollout status, history and undo', async () => {
    const ns = await namespace('ds-roll');
    const k = (...args: string[]) => kubectlOk(server.kubeconfig, ['-n', ns, ...args]);
    for (const n of ['roll-a', 'roll-b', 'roll-c']) await createNode(client, n, { labels: { pool: 'roll' } });
    await client.create(daemonSets, ns, daemonSet(ns, 'roller', 'roll'));
    await waitRolledOut(ns, 'roller', 3);
    expect(await k('rollout', 'status', 'ds/roller', '--timeout=20s')).toContain('daemon set "roller" successfully rolled out');

    let hold = true;
    kubelet.outcome = (p) => (p.metadata.namespace === ns && hold && image(p) === 'agent:2' ? 'running' : 'ready');
    await update(ns, 'roller', 'agent:2');
    await waitFor(async () => (await livePods(ns)).some((p) => image(p) === 'agent:2'), 'a first new pod');
    await sleep(800);
    const during = await podsByNode(ns);
    expect(Object.values(during).flat().sort(), 'one node at a time while the new pod is not Ready').toEqual(['agent:1', 'agent:1', 'agent:2']);
    expect((await getDs(ns, 'roller')).status).toMatchObject({ desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 2, numberUnavailable: 1 });
    hold = false;
    kubelet.poke();
    await waitRolledOut(ns, 'roller', 3);
    expect(Object.values(await podsByNode(ns)).flat()).toEqual(['agent:2', 'agent:2', 'agent:2']);
    expect(await k('rollout', 'status', 'ds/roller', '--timeout=20s')).toContain('successfully rolled out');

    expect(await k('rollout', 'history', 'ds/roller')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await k('rollout', 'history', 'ds/roller', '--revision=1')).toContain('agent:1');
    expect(await k('rollout', 'undo', 'ds/roller')).toContain('rolled back');
    await waitFor(async () => Object.values(await podsByNode(ns)).flat().join() === 'agent:1,agent:1,agent:1', 'undone to agent:1');
    await waitRolledOut(ns, 'roller', 3);
    const revisions = (await client.list(revisionType, ns)).items.map((r) => r.revision).sort();
    expect(revisions, 'the rolled-back revision is renumbered, not duplicated').toEqual([2, 3]);
  });

  it('with maxSurge starts the new pod next to the old one and removes the old one once the new is available', async () => {
    const ns = await namespace('ds-surge');
    for (const n of ['surge-a', 'surge-b']) await createNode(client, n, { labels: { pool: 'surge' } });
    await client.create(daemonSets, ns, daemonSet(ns, 'surger', 'surge', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await waitRolledOut(ns, 'surger', 2);
    let hold = true;
    kubelet.outcome = (p) => (p.metadata.namespace === ns && hold && image(p) === 'agent:2' ? 'running' : 'ready');
    await update(ns, 'surger', 'agent:2');
    await waitFor(async () => (await livePods(ns)).some((p) => image(p) === 'agent:2' && p.spec.nodeName), 'a surge pod bound');
    await sleep(800);
    const during = await podsByNode(ns);
    expect(Object.values(during).sort((a, b) => b.length - a.length), 'one node runs old and new side by side, the other only old').toEqual([['agent:1', 'agent:2'], ['agent:1']]);
    hold = false;
    kubelet.poke();
    await waitRolledOut(ns, 'surger', 2);
    await waitFor(async () => Object.values(await podsByNode(ns)).flat().join() === 'agent:2,agent:2', 'old pods gone');
  });

  it('OnDelete replaces a pod only when it is deleted', async () => {
    const ns = await namespace('ds-ondelete');
    for (const n of ['od-a', 'od-b']) await createNode(client, n, { labels: { pool: 'od' } });
    await client.create(daemonSets, ns, daemonSet(ns, 'od', 'od', { updateStrategy: { type: 'OnDelete' } }));
    await waitRolledOut(ns, 'od', 2);
    await update(ns, 'od', 'agent:2');
    await waitFor(async () => (await getDs(ns, 'od')).status.observedGeneration === 2, 'update observed');
    await sleep(600);
    expect(await podsByNode(ns)).toEqual({ 'od-a': ['agent:1'], 'od-b': ['agent:1'] });
    const victim = (await livePods(ns)).find((p) => p.spec.nodeName === 'od-b');
    await client.delete(podType, ns, victim.metadata.name);
    await waitFor(async () => JSON.stringify(await podsByNode(ns)) === JSON.stringify({ 'od-a': ['agent:1'], 'od-b': ['agent:2'] }), 'od-b re-created from the new template');
    expect((await getDs(ns, 'od')).status.updatedNumberScheduled).toBe(1);
  });

  it('deletes a failed pod and starts another', async () => {
    const ns = await namespace('ds-failed');
    await createNode(client, 'fail-a', { labels: { pool: 'fail' } });
    await client.create(daemonSets, ns, daemonSet(ns, 'flaky', 'fail'));
    await waitRolledOut(ns, 'flaky', 1);
    const [first] = await livePods(ns);
    kubelet.outcome = (p) => (p.metadata.uid === first.metadata.uid ? 'failed' : 'ready');
    kubelet.poke();
    await waitFor(async () => {
      const pods = await livePods(ns);
      return pods.length === 1 && pods[0].metadata.uid !== first.metadata.uid && isReady(pods[0]);
    }, 'a new pod replaces the failed one');
    kubelet.outcome = () => 'ready';
    const events = (await client.list(eventType, ns, { fieldSelector: 'involvedObject.name=flaky' })).items;
    expect(events.map((e) => `${e.reason}: ${e.message}`)).toContain(`FailedDaemonPod: Found failed daemon pod ${ns}/${first.metadata.name} on node fail-a, will try to kill it`);
  });
});
