/**
 * The node lifecycle and taint eviction controllers against a real API server, with short
 * periods: the test plays two nodes' agents (Node objects and Leases it renews). When one stops
 * renewing, it becomes Unknown and tainted unreachable within the grace period, its pods are
 * marked not Ready, a pod tolerating the taint for 2 s is deleted about 2 s later and one with the
 * default 300 s stays; when it comes back its taints go. A NoExecute taint a pod does not tolerate
 * evicts it at once.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../api/registry.js';
import type { ControllerHandle } from '../../client/controller.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import { startTestCluster, type TestCluster } from '../job/test-cluster.test-util.js';
import { startNodeLifecycleController } from './controller.js';

const nodesDef = storageResource('core/nodes');
const leasesDef = storageResource('coordination.k8s.io/leases');
const podsDef = storageResource('core/pods');
const GRACE_MS = 2000;

let cluster: TestCluster;
let controller: ControllerHandle;
const renewing = new Set<string>();
let renewTimer: NodeJS.Timeout;

const microTime = () => new Date().toISOString().replace(/Z$/, '000Z');
const seconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Posts Ready as an agent would; a merge patch, so that controllers writing the Node meanwhile cause no conflict. */
async function postReady(name: string): Promise<void> {
  const now = seconds();
  const conditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure']
    .map((type) => ({ type, status: 'False', reason: 'KubeletHasSufficient', message: 'ok', lastHeartbeatTime: now, lastTransitionTime: now }))
    .concat([{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }]);
  await cluster.client.patch(nodesDef, undefined, name, 'merge', { status: { conditions } }, { subresource: 'status' });
}

async function addNode(name: string): Promise<void> {
  await cluster.client.create(nodesDef, undefined, { metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { conditions: [] } });
  await postReady(name);
  await cluster.client.create(leasesDef, 'kube-node-lease', { metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() } });
  renewing.add(name);
}

async function renewLeases(): Promise<void> {
  for (const name of renewing) {
    await cluster.client.patch(leasesDef, 'kube-node-lease', name, 'merge', { spec: { renewTime: microTime() } }).catch(() => {});
  }
}

async function runningPod(name: string, nodeName: string, tolerations: object[] = []): Promise<void> {
  await cluster.client.create(podsDef, 'default', { metadata: { name }, spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'tugboat/busybox:test' }] } });
  const now = seconds();
  await cluster.client.patch(podsDef, 'default', name, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }, { subresource: 'status' });
}

const getNode = (name: string) => cluster.client.get<Node>(nodesDef, undefined, name);
const getPod = (name: string) => cluster.client.get<Pod>(podsDef, 'default', name);
const taintKeys = (n: Node) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');

beforeAll(async () => {
  cluster = await startTestCluster();
  await addNode('alive');
  await addNode('dying');
  renewTimer = setInterval(() => void renewLeases(), 200);
  controller = startNodeLifecycleController(cluster.ctx, { gracePeriodMs: GRACE_MS, startupGracePeriodMs: GRACE_MS, monitorPeriodMs: 200 });
  await cluster.startInformers();
}, 120_000);

afterAll(async () => {
  clearInterval(renewTimer);
  await controller?.stop();
  await cluster?.stop();
}, 60_000);

describe('node lifecycle', () => {
  it('healthy nodes stay Ready and untainted', async () => {
    await new Promise((r) => setTimeout(r, GRACE_MS + 500));
    for (const name of ['alive', 'dying']) {
      const node = await getNode(name);
      expect(ready(node)!.status).toBe('True');
      expect(taintKeys(node)).toEqual([]);
    }
  });

  it('a node whose lease is not renewed becomes Unknown and unreachable-tainted, its pods not Ready, and a pod tolerating that for 2 s is deleted after it', async () => {
    await runningPod('tolerates-2s', 'dying', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
    await runningPod('tolerates-300s', 'dying');
    const stopped = Date.now();
    renewing.delete('dying');
    let node!: Node;
    await waitFor(async () => {
      node = await getNode('dying');
      return taintKeys(node).includes('node.kubernetes.io/unreachable:NoExecute');
    }, 'unreachable taint', 10_000);
    expect(Date.now() - stopped).toBeLessThan(GRACE_MS + 2000);
    expect(ready(node)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(node.status!.conditions!.filter((c) => c.type !== 'Ready').map((c) => c.status)).toEqual(['Unknown', 'Unknown', 'Unknown']);
    expect(taintKeys(node)).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    const tainted = Date.parse(node.spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded!);

    await waitFor(async () => (await getPod('tolerates-300s')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False', 'pods marked not Ready');
    let evicted!: Pod;
    await waitFor(async () => {
      evicted = await getPod('tolerates-2s');
      return !!evicted.metadata?.deletionTimestamp;
    }, 'pod deleted', 10_000);
    const after = Date.now() - tainted;
    expect(after).toBeGreaterThanOrEqual(1500);
    expect(after).toBeLessThan(5000);
    expect(evicted.status!.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }));
    await waitFor(async () => (await cluster.events('default', 'tolerates-2s')).some((e) => e.reason === 'TaintManagerEviction'), 'eviction event');
    expect(await cluster.events('default', 'tolerates-2s')).toContainEqual({ reason: 'TaintManagerEviction', message: 'Marking for deletion Pod default/tolerates-2s' });
    expect(await cluster.events('default', 'dying')).toContainEqual({ reason: 'NodeNotReady', message: 'Node dying status is now: NodeNotReady' });
    expect((await getPod('tolerates-300s')).metadata!.deletionTimestamp).toBeUndefined();
    expect(taintKeys(await getNode('alive'))).toEqual([]);
  });

  it('the node coming back (lease renewed, Ready posted) loses its taints', async () => {
    renewing.add('dying');
    await renewLeases();
    await postReady('dying');
    await waitFor(async () => taintKeys(await getNode('dying')).length === 0, 'taints removed', 10_000);
    expect(ready(await getNode('dying'))!.status).toBe('True');
  });

  it('a NoExecute taint a pod does not tolerate evicts it at once', async () => {
    await runningPod('intolerant', 'alive');
    const node = await getNode('alive');
    await cluster.client.patch(nodesDef, undefined, 'alive', 'merge', { spec: { taints: [...(node.spec?.taints ?? []), { key: 'dedicated', value: 'db', effect: 'NoExecute' }] } });
    const start = Date.now();
    await waitFor(async () => !!(await getPod('intolerant')).metadata?.deletionTimestamp, 'evicted', 5000);
    expect(Date.now() - start).toBeLessThan(1500);
    expect(taintKeys(await getNode('alive'))).toEqual(['dedicated:NoExecute']);
  });
});
