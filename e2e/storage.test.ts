/**
 * Storage end to end: a real `tug server` (PersistentVolume binder, scheduler with VolumeBinding),
 * one real `tug agent` (local provisioner, persistentVolumeClaim mounts, pods in Docker), driven
 * by kubectl 1.33:
 * - the article's StorageClass and claim (e2e/manifests/storage.yaml, unmodified): its provisioner
 *   (ebs.csi.aws.com) does not run here, so the claim waits and a pod using it is unschedulable
 *   saying why; a matching local PersistentVolume made by hand then satisfies it, the pod writes a
 *   file, and a new pod with the same claim reads it back;
 * - a claim nothing can satisfy (unknown class) stays Pending with an event; its pod says why
 *   (FailedScheduling, or FailedMount for a pod given a node directly);
 * - the default class `local`: reclaimPolicy Delete removes the data directory, a Retain class
 *   keeps it and the volume is Released;
 * - deleting a claim in use waits for its pod (kubernetes.io/pvc-protection); growing a claim of a
 *   class without allowVolumeExpansion is refused;
 * - a StatefulSet of 3 with volumeClaimTemplates reads each ordinal's data back after all its pods
 *   were deleted.
 * The agent's data dir (and the volumes in it) and everything else are removed also on failure.
 */
import Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { kubectl, kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
const MANIFEST = path.join(import.meta.dirname, 'manifests', 'storage.yaml');

let server: TugServer;
let agent: TugAgent;
let staticDir: string;
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
const json = async (...args: string[]) => JSON.parse(await k(...args, '-o', 'json'));
const phase = (kind: string, name: string, ns = 'default') => k('get', kind, name, '-n', ns, '-o', 'jsonpath={.status.phase}');
const events = async (name: string, ns = 'default') => (await json('get', 'events', '-n', ns, '--field-selector', `involvedObject.name=${name}`)).items.map((e: any) => `${e.reason}: ${e.message}`).join('\n');

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  staticDir = await mkdtemp(path.join(os.tmpdir(), 'tug-static-pv-'));
  server = await startTugServer();
  agent = await startTugAgent(server);
  await waitFor(async () => / Ready /.test(await k('get', 'node', agent.nodeName)), `node ${agent.nodeName} Ready`, 60_000);
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
}, 240_000);

/** A pod mounting claim `claim` at `mountPath`, running `script`. */
function pod(name: string, claim: string, script: string, opts: { ns?: string; mountPath?: string; readOnly?: boolean; subPath?: string } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${opts.ns ?? 'default'}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: app
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(script)}]
    volumeMounts:
    - {name: data, mountPath: ${opts.mountPath ?? '/data'}${opts.readOnly ? ', readOnly: true' : ''}${opts.subPath ? `, subPath: ${opts.subPath}` : ''}}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: ${claim}}
`;
}

const claim = (name: string, size: string, cls?: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${size}}}
${cls ? `  storageClassName: ${cls}\n` : ''}`;

async function logsOf(name: string, ns = 'default'): Promise<string> {
  await waitFor(async () => (await phase('pod', name, ns)) === 'Succeeded', `pod ${name} Succeeded`, 90_000);
  return k('logs', name, '-n', ns);
}

describe('storage', () => {
  it("the article's claim waits for a volume, its pod says why; a matching local PV by hand satisfies it and data survives the pod", async () => {
    await k('create', 'namespace', 'ml-training');
    await k('apply', '-f', MANIFEST);
    expect(await k('get', 'storageclass')).toMatch(/gp3-encrypted\s+ebs\.csi\.aws\.com\s+Delete\s+WaitForFirstConsumer/);
    expect(await k('get', 'storageclass', 'local')).toMatch(/local \(default\)\s+tugboat\.dev\/local\s+Delete\s+WaitForFirstConsumer/);
    await waitFor(async () => /WaitForFirstConsumer/.test(await events('model-checkpoint-storage', 'ml-training')), 'WaitForFirstConsumer event', 30_000);
    expect(await phase('pvc', 'model-checkpoint-storage', 'ml-training')).toBe('Pending');

    await apply(pod('trainer', 'model-checkpoint-storage', 'echo epoch-42 > /checkpoints/epoch.txt', { ns: 'ml-training', mountPath: '/checkpoints' }));
    await waitFor(async () => /FailedScheduling/.test(await events('trainer', 'ml-training')), 'FailedScheduling', 30_000);
    expect(await events('trainer', 'ml-training')).toContain("0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind.");
    expect(await phase('pod', 'trainer', 'ml-training')).toBe('Pending');

    // The administrator provides the volume the external provisioner would have made.
    await apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: checkpoints-pv}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: gp3-encrypted
  local: {path: ${staticDir}}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${agent.nodeName}]}]
`);
    await waitFor(async () => (await phase('pod', 'trainer', 'ml-training')) === 'Succeeded', 'trainer Succeeded', 90_000);
    const pvc = await json('get', 'pvc', 'model-checkpoint-storage', '-n', 'ml-training');
    expect(pvc.status.phase).toBe('Bound');
    expect(pvc.spec.volumeName).toBe('checkpoints-pv');
    expect(pvc.status.capacity.storage).toBe('100Gi');
    expect(pvc.metadata.annotations['volume.kubernetes.io/selected-node']).toBe(agent.nodeName);
    expect(await phase('pv', 'checkpoints-pv')).toBe('Bound');
    expect(await readFile(path.join(staticDir, 'epoch.txt'), 'utf8')).toBe('epoch-42\n');

    await k('delete', 'pod', 'trainer', '-n', 'ml-training');
    await apply(pod('reader', 'model-checkpoint-storage', 'cat /checkpoints/epoch.txt', { ns: 'ml-training', mountPath: '/checkpoints', readOnly: true }));
    expect(await logsOf('reader', 'ml-training')).toBe('epoch-42\n');
    await k('delete', 'pod', 'reader', '-n', 'ml-training');
    await k('delete', 'pvc', 'model-checkpoint-storage', '-n', 'ml-training', '--timeout=60s');
    await waitFor(async () => (await phase('pv', 'checkpoints-pv')) === 'Released', 'static PV Released', 30_000);
    expect(existsSync(path.join(staticDir, 'epoch.txt'))).toBe(true);
    await k('delete', 'pv', 'checkpoints-pv', '--timeout=60s');
  }, 300_000);

  it('a claim nothing can satisfy stays Pending with an event; its pod does not start and says why', async () => {
    await apply(claim('impossible', '1Gi', 'no-such-class'));
    await waitFor(async () => /ProvisioningFailed: storageclass.storage.k8s.io "no-such-class" not found/.test(await events('impossible')), 'ProvisioningFailed event', 30_000);
    await apply(pod('stuck', 'impossible', 'true'));
    await apply(pod('orphan', 'no-such-claim', 'true'));
    await waitFor(async () => /FailedScheduling/.test(await events('stuck')), 'FailedScheduling', 30_000);
    expect(await events('stuck')).toContain('pod has unbound immediate PersistentVolumeClaims');
    await waitFor(async () => /persistentvolumeclaim "no-such-claim" not found/.test(await events('orphan')), 'claim not found', 30_000);
    expect(await k('describe', 'pod', 'stuck')).toMatch(/PodScheduled\s+False/);
    expect(await phase('pvc', 'impossible')).toBe('Pending');
    expect(await phase('pod', 'stuck')).toBe('Pending');
    // A pod placed on the node directly (no scheduler) waits in ContainerCreating and says why.
    await apply(pod('pinned', 'impossible', 'true').replace('spec:\n', `spec:\n  nodeName: ${agent.nodeName}\n`));
    await waitFor(async () => /FailedMount/.test(await events('pinned')), 'FailedMount', 30_000);
    expect(await events('pinned')).toContain('MountVolume.SetUp failed for volume "data" : error processing PVC default/impossible: PVC is not bound (phase Pending)');
    expect(await k('get', 'pod', 'pinned')).toMatch(/pinned\s+0\/1\s+ContainerCreating/);
    await k('delete', 'pod', 'stuck', 'orphan', 'pinned');
    await k('delete', 'pvc', 'impossible');
  }, 120_000);

  it('reclaimPolicy Delete removes the data directory; Retain keeps it and the volume is Released', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: tugboat.dev/local
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
`);
    await apply(claim('scratch', '1Gi'));
    await apply(claim('kept', '2Gi', 'keep'));
    await apply(pod('w1', 'scratch', 'echo one > /data/f'));
    await apply(pod('w2', 'kept', 'mkdir -p /data/sub && echo two > /data/sub/f'));
    await logsOf('w1');
    await logsOf('w2');
    const scratch = await json('get', 'pvc', 'scratch');
    const kept = await json('get', 'pvc', 'kept');
    expect(scratch.spec.storageClassName).toBe('local');
    expect(scratch.status.phase).toBe('Bound');
    const scratchPv = await json('get', 'pv', scratch.spec.volumeName);
    const keptPv = await json('get', 'pv', kept.spec.volumeName);
    expect(scratchPv.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('tugboat.dev/local');
    expect(scratchPv.spec.capacity.storage).toBe('1Gi');
    expect(scratchPv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values).toEqual([agent.nodeName]);
    expect(scratchPv.spec.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(keptPv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    const scratchDir = path.join(agent.stateDir, 'volumes', scratchPv.metadata.name);
    const keptDir = path.join(agent.stateDir, 'volumes', keptPv.metadata.name);
    expect(scratchPv.spec.local.path).toBe(scratchDir);
    expect(await readFile(path.join(scratchDir, 'f'), 'utf8')).toBe('one\n');
    expect(await readFile(path.join(keptDir, 'sub', 'f'), 'utf8')).toBe('two\n');

    // subPath and readOnly on a claim volume.
    await apply(pod('r2', 'kept', 'cat /data/f; touch /data/x 2>/dev/null && echo writable || echo read-only', { subPath: 'sub', readOnly: true }));
    expect(await logsOf('r2')).toBe('two\nread-only\n');

    await k('delete', 'pod', 'w1', 'w2', 'r2');
    await k('delete', 'pvc', 'scratch', 'kept', '--timeout=60s');
    await waitFor(async () => (await kubectl(server.kubeconfig, ['get', 'pv', scratchPv.metadata.name])).stderr.includes('not found'), 'Delete volume gone', 60_000);
    expect(existsSync(scratchDir)).toBe(false);
    await waitFor(async () => (await phase('pv', keptPv.metadata.name)) === 'Released', 'Retain volume Released', 30_000);
    expect(await readFile(path.join(keptDir, 'sub', 'f'), 'utf8')).toBe('two\n');
    await k('delete', 'pv', keptPv.metadata.name, '--timeout=60s');
    expect(existsSync(keptDir)).toBe(true);
  }, 240_000);

  it('deleting a claim in use waits until its pod is gone', async () => {
    await apply(claim('busy', '1Gi'));
    await apply(pod('user', 'busy', 'trap "exit 0" TERM; while true; do sleep 0.2; done'));
    await waitFor(async () => (await phase('pod', 'user')) === 'Running', 'user Running', 90_000);
    const pvc = await json('get', 'pvc', 'busy');
    expect(pvc.metadata.finalizers).toContain('kubernetes.io/pvc-protection');
    // The default class does not allow expansion: a larger request is refused clearly.
    const grow = await kubectl(server.kubeconfig, ['patch', 'pvc', 'busy', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
    expect(grow.code).not.toBe(0);
    expect(grow.stderr).toContain('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    await k('delete', 'pvc', 'busy', '--wait=false');
    await new Promise((r) => setTimeout(r, 3000));
    const terminating = await json('get', 'pvc', 'busy');
    expect(terminating.metadata.deletionTimestamp).toBeTruthy();
    expect(await k('get', 'pvc', 'busy')).toMatch(/busy\s+Terminating/);
    expect(await phase('pod', 'user')).toBe('Running');
    await k('delete', 'pod', 'user');
    await waitFor(async () => (await kubectl(server.kubeconfig, ['get', 'pvc', 'busy'])).stderr.includes('not found'), 'claim gone after its pod', 60_000);
    await waitFor(async () => !(await k('get', 'pv', '-o', 'name')).includes(pvc.spec.volumeName), 'its volume deleted', 60_000);
  }, 180_000);

  it('a StatefulSet of 3 with volumeClaimTemplates reads each ordinal back after all its pods are deleted', async () => {
    await apply(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: ${IMAGE}
        command: ["sh", "-c", "[ -f /data/ordinal ] || echo \${HOSTNAME##*-} $(cat /proc/sys/kernel/random/uuid) > /data/ordinal; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`);
    const running = async () => {
      const pods = (await json('get', 'pods', '-l', 'app=db')).items.filter((p: any) => !p.metadata.deletionTimestamp);
      return pods.length === 3 && pods.every((p: any) => p.status.phase === 'Running');
    };
    await waitFor(running, 'db pods Running', 120_000);
    const first: string[] = [];
    for (const i of [0, 1, 2]) first.push(await k('exec', `db-${i}`, '--', 'cat', '/data/ordinal'));
    first.forEach((line, i) => expect(line).toMatch(new RegExp(`^${i} [0-9a-f-]{36}\\n$`)));
    const claims = (await json('get', 'pvc', '-l', 'app=db')).items.map((c: any) => `${c.metadata.name}:${c.status.phase}`).sort();
    expect(claims).toEqual(['data-db-0:Bound', 'data-db-1:Bound', 'data-db-2:Bound']);

    const uids = (await json('get', 'pods', '-l', 'app=db')).items.map((p: any) => p.metadata.uid);
    await k('delete', 'pods', '-l', 'app=db');
    await waitFor(async () => {
      const pods = (await json('get', 'pods', '-l', 'app=db')).items;
      return pods.length === 3 && pods.every((p: any) => !uids.includes(p.metadata.uid) && p.status.phase === 'Running');
    }, 'db pods recreated', 120_000);
    for (const i of [0, 1, 2]) expect(await k('exec', `db-${i}`, '--', 'cat', '/data/ordinal')).toBe(first[i]);

    await k('delete', 'statefulset', 'db');
    await waitFor(async () => (await json('get', 'pods', '-l', 'app=db')).items.length === 0, 'db pods gone', 60_000);
    // persistentVolumeClaimRetentionPolicy defaults to Retain: the claims stay.
    expect((await json('get', 'pvc', '-l', 'app=db')).items).toHaveLength(3);
    await k('delete', 'pvc', '-l', 'app=db', '--timeout=60s');
  }, 300_000);
});
