/**
 * The garbage collector against a real API server, driven by real kubectl 1.33: a Deployment →
 * ReplicaSet → Pods chain built with ownerReferences is deleted with `--cascade=background`,
 * `--cascade=foreground` (dependents first, bottom-up) and `--cascade=orphan` (dependents stay,
 * without the reference); owners of other kinds and scopes, several owners, and owners that never
 * existed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../api/registry.js';
import { isNotFound, type WatchStream } from '../../client/api-client.js';
import type { ControllerHandle } from '../../client/controller.js';
import { kubectlOk } from '../../../e2e/harness/kubectl.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { startTestCluster, type TestCluster } from '../job/test-cluster.test-util.js';
import { startGarbageCollector } from './controller.js';

const deploymentsDef = storageResource('apps/deployments');
const replicaSetsDef = storageResource('apps/replicasets');
const podsDef = storageResource('core/pods');
const configMapsDef = storageResource('core/configmaps');
const clusterRolesDef = storageResource('rbac.authorization.k8s.io/clusterroles');

let cluster: TestCluster;
let gc: ControllerHandle;

const labels = (app: string) => ({ app });
const podSpec = { containers: [{ name: 'web', image: 'tugboat/busybox:test' }] };
const ownerRef = (kind: string, apiVersion: string, obj: any, block = true) => ({ apiVersion, kind, name: obj.metadata.name, uid: obj.metadata.uid, controller: true, blockOwnerDeletion: block });

/** A Deployment with one ReplicaSet and two Pods, linked by ownerReferences as the controllers would. */
async function chain(app: string): Promise<{ rs: any; pods: any[] }> {
  const selector = { matchLabels: labels(app) };
  const template = { metadata: { labels: labels(app) }, spec: podSpec };
  const deploy = await cluster.client.create(deploymentsDef, 'default', { metadata: { name: app }, spec: { replicas: 2, selector, template } });
  const rs = await cluster.client.create(replicaSetsDef, 'default', {
    metadata: { name: `${app}-rs`, labels: labels(app), ownerReferences: [ownerRef('Deployment', 'apps/v1', deploy)] },
    spec: { replicas: 2, selector, template },
  });
  const pods = [];
  for (const i of [1, 2]) {
    pods.push(await cluster.client.create(podsDef, 'default', { metadata: { name: `${app}-pod-${i}`, labels: labels(app), ownerReferences: [ownerRef('ReplicaSet', 'apps/v1', rs)] }, spec: podSpec }));
  }
  return { rs, pods };
}

async function exists(def: any, name: string, namespace: string | undefined = 'default'): Promise<any | undefined> {
  try {
    return await cluster.client.get(def, namespace, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const gone = (def: any, name: string, namespace?: string) => waitFor(async () => (await exists(def, name, namespace)) === undefined, `${name} deleted`);

/** Records the resourceVersion at which objects of the watched types were deleted (a global order). */
function deletionOrder(): { order: Map<string, number>; stop(): void } {
  const order = new Map<string, number>();
  const streams: WatchStream[] = [deploymentsDef, replicaSetsDef, podsDef].map((def) =>
    cluster.client.watch(def, 'default', { resourceVersion: '0' }, (ev) => {
      if (ev.type === 'DELETED') order.set(ev.object.metadata.name, Number(ev.object.metadata.resourceVersion));
    }),
  );
  return { order, stop: () => streams.forEach((s) => s.stop()) };
}

beforeAll(async () => {
  cluster = await startTestCluster();
  gc = startGarbageCollector(cluster.ctx);
  await cluster.startInformers();
}, 120_000);

afterAll(async () => {
  await gc?.stop();
  await cluster?.stop();
}, 60_000);

describe('garbage collector with kubectl delete', () => {
  it('--cascade=background (the default) deletes the ReplicaSet and its Pods after the Deployment', async () => {
    await chain('bg');
    await kubectlOk(cluster.server.kubeconfig, ['delete', 'deployment', 'bg']);
    expect(await exists(deploymentsDef, 'bg')).toBeUndefined();
    await gone(replicaSetsDef, 'bg-rs');
    await gone(podsDef, 'bg-pod-1');
    await gone(podsDef, 'bg-pod-2');
  });

  it('--cascade=foreground deletes the Pods, then the ReplicaSet, then the Deployment', async () => {
    await chain('fg');
    const watch = deletionOrder();
    try {
      await kubectlOk(cluster.server.kubeconfig, ['delete', 'deployment', 'fg', '--cascade=foreground']);
      await waitFor(() => watch.order.has('fg'), 'deployment deletion seen');
      expect(await exists(replicaSetsDef, 'fg-rs')).toBeUndefined();
      const { order } = watch;
      expect(order.get('fg-pod-1')!).toBeLessThan(order.get('fg-rs')!);
      expect(order.get('fg-pod-2')!).toBeLessThan(order.get('fg-rs')!);
      expect(order.get('fg-rs')!).toBeLessThan(order.get('fg')!);
    } finally {
      watch.stop();
    }
  });

  it('--cascade=orphan deletes only the Deployment; the ReplicaSet loses its ownerReference, the Pods keep theirs', async () => {
    const { rs } = await chain('orph');
    await kubectlOk(cluster.server.kubeconfig, ['delete', 'deployment', 'orph', '--cascade=orphan']);
    expect(await exists(deploymentsDef, 'orph')).toBeUndefined();
    const kept = await exists(replicaSetsDef, 'orph-rs');
    expect(kept.metadata.uid).toBe(rs.metadata.uid);
    expect(kept.metadata.ownerReferences ?? []).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    const pod = await exists(podsDef, 'orph-pod-1');
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', uid: rs.metadata.uid })]);
    expect(await exists(replicaSetsDef, 'orph-rs')).toBeDefined();
  });
});

describe('garbage collector ownership rules', () => {
  it('a namespaced object owned by a cluster-scoped one goes with it', async () => {
    const role = await cluster.client.create(clusterRolesDef, undefined, { metadata: { name: 'gc-owner-role' }, rules: [] });
    await cluster.client.create(configMapsDef, 'default', { metadata: { name: 'owned-by-role', ownerReferences: [ownerRef('ClusterRole', 'rbac.authorization.k8s.io/v1', role, false)] } });
    await kubectlOk(cluster.server.kubeconfig, ['delete', 'clusterrole', 'gc-owner-role']);
    await gone(configMapsDef, 'owned-by-role');
  });

  it('an object with a second, live owner stays and loses only the reference to the deleted one', async () => {
    const a = await cluster.client.create<any>(configMapsDef, 'default', { metadata: { name: 'owner-a' } });
    const b = await cluster.client.create<any>(configMapsDef, 'default', { metadata: { name: 'owner-b' } });
    await cluster.client.create(configMapsDef, 'default', {
      metadata: { name: 'two-owners', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-a', uid: a.metadata.uid }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-b', uid: b.metadata.uid }] },
    });
    await kubectlOk(cluster.server.kubeconfig, ['delete', 'configmap', 'owner-a']);
    await waitFor(async () => (await exists(configMapsDef, 'two-owners')).metadata.ownerReferences?.length === 1, 'reference removed');
    expect((await exists(configMapsDef, 'two-owners')).metadata.ownerReferences).toEqual([expect.objectContaining({ uid: b.metadata.uid })]);
  });

  it('an object whose owner never existed (or was replaced under the same name) is collected', async () => {
    await cluster.client.create(configMapsDef, 'default', { metadata: { name: 'phantom-owner' } });
    await cluster.client.create(configMapsDef, 'default', {
      metadata: { name: 'stale-ref', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'phantom-owner', uid: '00000000-0000-0000-0000-000000000000' }] },
    });
    await gone(configMapsDef, 'stale-ref');
    expect(await exists(configMapsDef, 'phantom-owner')).toBeDefined();
  });

  it('an owner of a kind the server does not serve never gets its dependents collected', async () => {
    await cluster.client.create(configMapsDef, 'default', {
      metadata: { name: 'foreign-owner', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '11111111-1111-1111-1111-111111111111' }] },
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await exists(configMapsDef, 'foreign-owner')).toBeDefined();
  });
});
