/**
 * The StatefulSet controller against a real API server, with a stand-in binder and a fake kubelet
 * (control-plane/controllers/history/controller-harness.ts) so that readiness and termination are
 * the test's to decide: ordered creation and deletion, Parallel, claims per ordinal, retention
 * policy, rolling update with partition, OnDelete, failed pods, ControllerRevisions and
 * `kubectl rollout history|undo`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { RESOURCES } from '../../api/registry.js';
import type { ApiClient } from '../../client/api-client.js';
import { controllerHarness, createNode, FakeKubelet, podType, TestBinder, type ControllerHarness } from '../history/controller-harness.js';
import { startStatefulSetController } from './controller.js';

const statefulSets = RESOURCES.find((r) => r.plural === 'statefulsets')!;
const claimType = RESOURCES.find((r) => r.plural === 'persistentvolumeclaims')!;
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
  await createNode(client, 'sts-node-a');
  await createNode(client, 'sts-node-b');
  binder = new TestBinder(client);
  kubelet = new FakeKubelet(client, () => 'all');
  await binder.start();
  await kubelet.start();
  await harness.run(startStatefulSetController);
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

function statefulSet(ns: string, name: string, spec: Record<string, unknown> = {}, image = 'busybox:1'): any {
  return {
    metadata: { name, namespace: ns },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command: ['sleep', '3600'] }] },
      },
      ...spec,
    },
  };
}

const listPods = async (ns: string) => (await client.list(podType, ns)).items;
const getPod = (ns: string, name: string) => client.get(podType, ns, name).catch(() => undefined);
const getSet = (ns: string, name: string) => client.get(statefulSets, ns, name);
const isReady = (p: any) => p?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const names = (pods: any[]) => pods.map((p) => p.metadata.name).sort();

async function setEvents(ns: string, name: string): Promise<any[]> {
  const list = await client.list(eventType, ns, { fieldSelector: `involvedObject.name=${name}` });
  // Creation time has whole seconds; the recorder's event names carry milliseconds in order.
  const order = (e: any) => `${e.metadata.creationTimestamp} ${e.metadata.name}`;
  return list.items.sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

async function waitAllReady(ns: string, name: string, replicas: number): Promise<void> {
  await waitFor(async () => {
    const s = await getSet(ns, name);
    return s.status?.readyReplicas === replicas && s.status?.replicas === replicas && s.status?.observedGeneration === s.metadata.generation;
  }, `${name} has ${replicas} ready replicas`, 20_000);
}

describe('OrderedReady', () => {
  it('creates pods 0,1,2 each after the previous is Ready, and deletes 2,1,0 each after the previous is gone', async () => {
    const ns = await namespace('sts-ordered');
    const ready = new Set<string>();
    const mayGo = new Set<string>();
    kubelet.outcome = (p) => (p.metadata.namespace !== ns || ready.has(p.metadata.name) ? 'ready' : 'running');
    kubelet.mayTerminate = (p) => p.metadata.namespace !== ns || mayGo.has(p.metadata.name);
    await client.create(statefulSets, ns, statefulSet(ns, 'web'));

    for (const [i, name] of ['web-0', 'web-1', 'web-2'].entries()) {
      await waitFor(async () => (await getPod(ns, name))?.status?.phase === 'Running', `${name} running`);
      await sleep(600);
      expect(names(await listPods(ns)), `only pods up to ${name} exist while it is not Ready`).toEqual(['web-0', 'web-1', 'web-2'].slice(0, i + 1));
      ready.add(name);
      kubelet.poke();
    }
    await waitAllReady(ns, 'web', 3);

    const pod = await getPod(ns, 'web-1');
    expect(pod.metadata.labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    expect(pod.spec).toMatchObject({ hostname: 'web-1', subdomain: 'web' });
    const set = await getSet(ns, 'web');
    expect(pod.metadata.labels['controller-revision-hash']).toBe(set.status.updateRevision);
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(set.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: set.status.updateRevision, collisionCount: 0 });

    await client.patch(statefulSets, ns, 'web', 'merge', { spec: { replicas: 0 } }, { subresource: 'scale' });
    for (const [i, name] of ['web-2', 'web-1', 'web-0'].entries()) {
      await waitFor(async () => !!(await getPod(ns, name))?.metadata.deletionTimestamp, `${name} terminating`);
      await sleep(600);
      const pods = await listPods(ns);
      expect(names(pods)).toEqual(['web-0', 'web-1', 'web-2'].slice(0, 3 - i));
      expect(pods.filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name), 'one pod terminates at a time').toEqual([name]);
      mayGo.add(name);
      kubelet.poke();
      await waitFor(async () => !(await getPod(ns, name)), `${name} gone`);
    }
    await waitFor(async () => (await getSet(ns, 'web')).status?.replicas === 0, 'status replicas 0');

    const events = await setEvents(ns, 'web');
    const messages = events.filter((e) => e.source?.component === 'statefulset-controller').map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toEqual([
      'SuccessfulCreate: create Pod web-0 in StatefulSet web successful',
      'SuccessfulCreate: create Pod web-1 in StatefulSet web successful',
      'SuccessfulCreate: create Pod web-2 in StatefulSet web successful',
      'SuccessfulDelete: delete Pod web-2 in StatefulSet web successful',
      'SuccessfulDelete: delete Pod web-1 in StatefulSet web successful',
      'SuccessfulDelete: delete Pod web-0 in StatefulSet web successful',
    ]);
  });
});

describe('Parallel', () => {
  it('creates and deletes all pods at once', async () => {
    const ns = await namespace('sts-parallel');
    kubelet.outcome = (p) => (p.metadata.namespace === ns ? 'running' : 'ready');
    await client.create(statefulSets, ns, statefulSet(ns, 'par', { podManagementPolicy: 'Parallel' }));
    await waitFor(async () => (await listPods(ns)).length === 3, 'three pods while none is Ready');
    await client.patch(statefulSets, ns, 'par', 'merge', { spec: { replicas: 0 } });
    await waitFor(async () => (await listPods(ns)).length === 0, 'all pods gone while none is Ready');
    kubelet.outcome = () => 'ready';
  });
});

describe('volumeClaimTemplates', () => {
  const claimTemplate = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };

  it('gives each ordinal its own claim, which a re-created pod gets back and which stays after scale down', async () => {
    const ns = await namespace('sts-claims');
    await client.create(statefulSets, ns, statefulSet(ns, 'db', { volumeClaimTemplates: [claimTemplate] }));
    await waitAllReady(ns, 'db', 3);
    const claims = (await client.list(claimType, ns)).items;
    expect(names(claims)).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    expect(claims[0].metadata.labels).toEqual({ app: 'db' });
    expect(claims[0].metadata.ownerReferences).toBeUndefined();
    const pod1 = await getPod(ns, 'db-1');
    expect(pod1.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
    const claimUid = claims.find((c) => c.metadata.name === 'data-db-1').metadata.uid;

    await client.delete(podType, ns, 'db-1');
    await waitFor(async () => {
      const p = await getPod(ns, 'db-1');
      return !!p && p.metadata.uid !== pod1.metadata.uid && isReady(p);
    }, 'db-1 back and Ready');
    const back = await getPod(ns, 'db-1');
    expect(back.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
    expect((await client.get(claimType, ns, 'data-db-1')).metadata.uid).toBe(claimUid);

    await client.patch(statefulSets, ns, 'db', 'merge', { spec: { replicas: 1 } });
    await waitFor(async () => (await listPods(ns)).length === 1, 'scaled down to one pod');
    expect(names((await client.list(claimType, ns)).items)).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
  });

  it('puts owner references for persistentVolumeClaimRetentionPolicy Delete', async () => {
    const ns = await namespace('sts-retention');
    const spec = { replicas: 2, volumeClaimTemplates: [claimTemplate], persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } };
    const created = await client.create(statefulSets, ns, statefulSet(ns, 'kv', spec));
    await waitAllReady(ns, 'kv', 2);
    const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true };
    expect((await client.get(claimType, ns, 'data-kv-1')).metadata.ownerReferences).toEqual([setRef]);
    const pod1 = await getPod(ns, 'kv-1');
    const mayGo = new Set<string>();
    kubelet.mayTerminate = (p) => p.metadata.namespace !== ns || mayGo.has(p.metadata.name);
    await client.patch(statefulSets, ns, 'kv', 'merge', { spec: { replicas: 1 } });
    // Before the condemned pod goes, its claim names the pod as owner instead of the set.
    await waitFor(async () => !!(await getPod(ns, 'kv-1'))?.metadata.deletionTimestamp, 'kv-1 terminating');
    expect((await client.get(claimType, ns, 'data-kv-1')).metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'kv-1', uid: pod1.metadata.uid }]);
    expect((await client.get(claimType, ns, 'data-kv-0')).metadata.ownerReferences).toEqual([setRef]);
    kubelet.mayTerminate = () => true;
    kubelet.poke();
  });
});

describe('ownership', () => {
  it('adopts a matching orphan pod of its name, gives it its identity labels, and releases it when its labels no longer match', async () => {
    const ns = await namespace('sts-adopt');
    const orphan = await client.create(podType, ns, { metadata: { name: 'own-0', labels: { app: 'own' } }, spec: { containers: [{ name: 'main', image: 'busybox:1' }] } });
    // OnDelete: the adopted pod (which has no revision label) is not rolled to the set's revision.
    const set = await client.create(statefulSets, ns, statefulSet(ns, 'own', { replicas: 1, updateStrategy: { type: 'OnDelete' } }));
    await waitFor(async () => (await getPod(ns, 'own-0'))?.metadata.labels['apps.kubernetes.io/pod-index'] === '0', 'orphan adopted and labelled');
    const adopted = await getPod(ns, 'own-0');
    expect(adopted.metadata.uid, 'the orphan itself, not a new pod').toBe(orphan.metadata.uid);
    expect(adopted.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'own', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    await client.patch(podType, ns, 'own-0', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor(async () => !(await getPod(ns, 'own-0'))?.metadata.ownerReferences?.length, 'pod released');
  });
});

describe('updates', () => {
  it('rolls from the highest ordinal down to the partition, one Ready pod at a time', async () => {
    const ns = await namespace('sts-rolling');
    await client.create(statefulSets, ns, statefulSet(ns, 'roll', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
    await waitAllReady(ns, 'roll', 3);
    const before = await getSet(ns, 'roll');
    const oldRevision = before.status.currentRevision;
    const held = new Set<string>();
    kubelet.outcome = (p) => (p.metadata.namespace === ns && held.has(p.metadata.name) ? 'running' : 'ready');
    held.add('roll-2');
    await client.patch(statefulSets, ns, 'roll', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox:2' }] } } } });

    await waitFor(async () => (await getPod(ns, 'roll-2'))?.spec.containers[0].image === 'busybox:2', 'roll-2 updated');
    await sleep(600);
    expect((await getPod(ns, 'roll-1')).spec.containers[0].image, 'roll-1 waits for roll-2 to be Ready').toBe('busybox:1');
    held.clear();
    kubelet.poke();
    await waitFor(async () => (await getPod(ns, 'roll-1'))?.spec.containers[0].image === 'busybox:2' && isReady(await getPod(ns, 'roll-1')), 'roll-1 updated');
    await sleep(600);
    const mid = await getSet(ns, 'roll');
    expect((await getPod(ns, 'roll-0')).spec.containers[0].image, 'the partition keeps roll-0').toBe('busybox:1');
    expect(mid.status).toMatchObject({ currentRevision: oldRevision, updatedReplicas: 2, currentReplicas: 1, readyReplicas: 3 });
    expect(mid.status.updateRevision).not.toBe(oldRevision);

    await client.patch(statefulSets, ns, 'roll', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    await waitFor(async () => {
      const s = await getSet(ns, 'roll');
      return s.status.currentRevision === s.status.updateRevision && s.status.updatedReplicas === 3 && s.status.readyReplicas === 3;
    }, 'rollout complete');
    expect((await getPod(ns, 'roll-0')).spec.containers[0].image).toBe('busybox:2');
  });

  it('OnDelete changes a pod only when it is deleted', async () => {
    const ns = await namespace('sts-ondelete');
    await client.create(statefulSets, ns, statefulSet(ns, 'od', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
    await waitAllReady(ns, 'od', 2);
    await client.patch(statefulSets, ns, 'od', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox:2' }] } } } });
    await waitFor(async () => (await getSet(ns, 'od')).status.observedGeneration === 2, 'new generation observed');
    await sleep(600);
    expect((await listPods(ns)).map((p) => p.spec.containers[0].image)).toEqual(['busybox:1', 'busybox:1']);
    await client.delete(podType, ns, 'od-1');
    await waitFor(async () => (await getPod(ns, 'od-1'))?.spec.containers[0].image === 'busybox:2', 'od-1 re-created at the new revision');
    expect((await getPod(ns, 'od-0')).spec.containers[0].image).toBe('busybox:1');
    const s = await getSet(ns, 'od');
    expect(s.status).toMatchObject({ updatedReplicas: 1, currentReplicas: 1 });
  });

  it('deletes and re-creates a failed pod', async () => {
    const ns = await namespace('sts-failed');
    await client.create(statefulSets, ns, statefulSet(ns, 'fl', { replicas: 2 }));
    await waitAllReady(ns, 'fl', 2);
    const first = await getPod(ns, 'fl-1');
    kubelet.outcome = (p) => (p.metadata.uid === first.metadata.uid ? 'failed' : 'ready');
    kubelet.poke();
    await waitFor(async () => {
      const p = await getPod(ns, 'fl-1');
      return !!p && p.metadata.uid !== first.metadata.uid && isReady(p);
    }, 'fl-1 re-created');
    kubelet.outcome = () => 'ready';
    const reasons = (await setEvents(ns, 'fl')).map((e) => e.reason);
    expect(reasons).toContain('RecreatingFailedPod');
  });
});

describe('ControllerRevisions', () => {
  it('records one revision per template, renumbers on rollback, and serves kubectl rollout history and undo', async () => {
    const ns = await namespace('sts-history');
    const k = (...args: string[]) => kubectlOk(server.kubeconfig, ['-n', ns, ...args]);
    await client.create(statefulSets, ns, statefulSet(ns, 'hist', { replicas: 2 }));
    await waitAllReady(ns, 'hist', 2);
    for (const image of ['busybox:2', 'busybox:3']) {
      await k('set', 'image', 'sts/hist', `main=${image}`);
      await waitFor(async () => {
        const s = await getSet(ns, 'hist');
        return s.status.observedGeneration === s.metadata.generation && s.status.currentRevision === s.status.updateRevision && s.status.updatedReplicas === 2 && s.status.readyReplicas === 2;
      }, `rolled to ${image}`);
    }
    const set = await getSet(ns, 'hist');
    const revisions = (await client.list(revisionType, ns)).items.sort((a, b) => a.revision - b.revision);
    expect(revisions.map((r) => r.revision)).toEqual([1, 2, 3]);
    for (const r of revisions) {
      expect(r.metadata.name).toMatch(/^hist-[bcdfghjklmnpqrstvwxz2456789]+$/);
      expect(r.metadata.labels).toEqual({ app: 'hist', 'controller.kubernetes.io/hash': r.metadata.name.slice('hist-'.length) });
      expect(r.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'hist', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(r.data.spec.template.$patch).toBe('replace');
    }
    expect(revisions[2].metadata.name).toBe(set.status.updateRevision);

    const history = await k('rollout', 'history', 'sts/hist');
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>/);
    expect(await k('rollout', 'history', 'sts/hist', '--revision=2')).toContain('busybox:2');

    expect(await k('rollout', 'undo', 'sts/hist', '--to-revision=1')).toContain('rolled back');
    await waitFor(async () => {
      const s = await getSet(ns, 'hist');
      return s.status.updateRevision === revisions[0].metadata.name && s.status.currentRevision === s.status.updateRevision && s.status.readyReplicas === 2;
    }, 'rolled back to revision 1');
    expect((await listPods(ns)).map((p) => p.spec.containers[0].image)).toEqual(['busybox:1', 'busybox:1']);
    expect(await k('rollout', 'history', 'sts/hist')).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n4\s+<none>/);

    expect(await k('rollout', 'undo', 'sts/hist')).toContain('rolled back');
    await waitFor(async () => (await getSet(ns, 'hist')).status.updateRevision === revisions[2].metadata.name, 'undo goes back to the previous revision');

  });

  it('keeps at most revisionHistoryLimit revisions besides the live ones', async () => {
    const ns = await namespace('sts-history-limit');
    await client.create(statefulSets, ns, statefulSet(ns, 'lim', { replicas: 1, revisionHistoryLimit: 1 }));
    await waitAllReady(ns, 'lim', 1);
    for (const image of ['busybox:2', 'busybox:3']) {
      await client.patch(statefulSets, ns, 'lim', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image }] } } } });
      await waitFor(async () => (await getPod(ns, 'lim-0'))?.spec.containers[0].image === image && isReady(await getPod(ns, 'lim-0')), `rolled to ${image}`);
    }
    await waitFor(async () => (await client.list(revisionType, ns)).items.map((r) => r.revision).sort().join() === '2,3', 'revision 1 deleted, 2 kept, 3 live');
  });
});
