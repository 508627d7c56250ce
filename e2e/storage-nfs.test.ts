/**
 * NFS storage end to end, as far as a machine without an NFS server to reach can show it: a real
 * `tug server` (PersistentVolume binder, which makes the volumes of class provisioner
 * tugboat.dev/nfs) and one real `tug agent` (NFS mounts), driven by kubectl 1.33.
 * - A StorageClass with provisioner tugboat.dev/nfs naming an export, and a ReadWriteMany claim of
 *   it: the claim binds at once (Immediate) to a volume with spec.nfs pointing at the
 *   sub-directory <path>/<namespace>-<claim>-<pv name>, the claim's access modes and the class's
 *   reclaim policy. Nothing contacts the server named (192.0.2.10 is TEST-NET-1, reserved for
 *   documentation): making the volume is bookkeeping only.
 * - A pod using the claim on a node without an NFS client (no mount.nfs, as on these machines)
 *   does not start and gets a FailedMount event naming the missing client and what to install;
 *   the node and other pods carry on. Where mount.nfs is present the case is skipped (it would try
 *   to mount that export).
 * Everything is removed also on failure (the agent's data dir with the server's).
 */
import Docker from 'dockerode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { MOUNT_HELPER_DIRS } from '../agent/volumes/nfs.js';
import { kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
const NFS_CLIENT = MOUNT_HELPER_DIRS.map((d) => path.join(d, 'mount.nfs')).find((p) => existsSync(p));

let server: TugServer;
let agent: TugAgent;
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
const json = async (...args: string[]) => JSON.parse(await k(...args, '-o', 'json'));
const events = async (name: string, ns = 'default') => (await json('get', 'events', '-n', ns, '--field-selector', `involvedObject.name=${name}`)).items.map((e: any) => `${e.reason}: ${e.message}`).join('\n');

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  server = await startTugServer();
  agent = await startTugAgent(server);
  await waitFor(async () => / Ready /.test(await k('get', 'node', agent.nodeName)), `node ${agent.nodeName} Ready`, 60_000);
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
}, 240_000);

const pod = (name: string, claim: string, script: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: app
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(script)}]
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - name: shared
    persistentVolumeClaim: {claimName: ${claim}}
`;

describe('NFS storage', () => {
  it('a tugboat.dev/nfs class yields a ReadWriteMany volume on a sub-directory of the export, bound at once', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nfs}
provisioner: tugboat.dev/nfs
parameters: {server: 192.0.2.10, path: /exports/team}
reclaimPolicy: Retain
mountOptions: [nfsvers=4.1]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared}
spec:
  storageClassName: nfs
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 5Gi}}
`);
    expect(await k('get', 'storageclass', 'nfs')).toMatch(/nfs\s+tugboat\.dev\/nfs\s+Retain\s+Immediate/);
    await waitFor(async () => (await json('get', 'pvc', 'shared')).status?.phase === 'Bound', 'claim shared Bound', 30_000);
    const claim = await json('get', 'pvc', 'shared');
    const pvName = `pvc-${claim.metadata.uid}`;
    expect(claim.spec.volumeName).toBe(pvName);
    expect(claim.status.accessModes).toEqual(['ReadWriteMany']);
    expect(claim.status.capacity.storage).toBe('5Gi');
    const pv = await json('get', 'pv', pvName);
    expect(pv.status.phase).toBe('Bound');
    expect(pv.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('tugboat.dev/nfs');
    expect(pv.spec.nfs).toEqual({ server: '192.0.2.10', path: `/exports/team/default-shared-${pvName}` });
    expect(pv.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(pv.spec.mountOptions).toEqual(['nfsvers=4.1']);
    expect(pv.spec.nodeAffinity).toBeUndefined();
    expect(await events('shared')).toContain(`ProvisioningSucceeded: Successfully provisioned volume ${pvName}: NFS 192.0.2.10:/exports/team/default-shared-${pvName}`);
    expect(await k('get', 'pv', pvName)).toMatch(new RegExp(`${pvName}\\s+5Gi\\s+RWX\\s+Retain\\s+Bound\\s+default/shared\\s+nfs`));
  }, 120_000);

  it.skipIf(NFS_CLIENT !== undefined)(
    `a pod using it on a node without an NFS client does not start and says which client is missing (skipped where ${NFS_CLIENT ?? 'mount.nfs'} exists: it would mount the export)`,
    async () => {
      const pvName = (await json('get', 'pvc', 'shared')).spec.volumeName;
      await apply(pod('writer', 'shared', 'echo hi > /shared/f'));
      await apply(pod('bystander', 'no-nfs-here', 'true').replace(/ {2}volumes:\n[\s\S]*$/, '').replace(/ {4}volumeMounts:.*\n/, ''));
      await waitFor(async () => /FailedMount/.test(await events('writer')), 'FailedMount event', 60_000);
      const ev = await events('writer');
      expect(ev).toContain(
        `FailedMount: MountVolume.SetUp failed for volume "shared" : NFS volume ${pvName} (192.0.2.10:/exports/team/default-shared-${pvName}) needs an NFS client on node ${agent.nodeName}: no mount.nfs executable found (looked in /sbin, /usr/sbin, /usr/local/sbin); install nfs-common (Debian/Ubuntu) or nfs-utils (Fedora/RHEL) on the node and retry`,
      );
      expect(await k('get', 'pod', 'writer')).toMatch(/writer\s+0\/1\s+ContainerCreating/);
      expect((await json('get', 'pod', 'writer')).spec.nodeName).toBe(agent.nodeName);
      // Nothing else breaks: another pod on the node runs to completion, the node stays Ready.
      await waitFor(async () => (await json('get', 'pod', 'bystander')).status?.phase === 'Succeeded', 'bystander Succeeded', 90_000);
      expect(await k('get', 'node', agent.nodeName)).toMatch(/ Ready /);
      expect(existsSync(path.join(agent.stateDir, 'nfs', pvName))).toBe(false);
      await k('delete', 'pod', 'writer', 'bystander');
    },
    180_000,
  );

  it('cleans up: the claim goes, the Retain volume is Released', async () => {
    const pvName = (await json('get', 'pvc', 'shared')).spec.volumeName;
    await k('delete', 'pvc', 'shared', '--timeout=60s');
    await waitFor(async () => (await json('get', 'pv', pvName)).status?.phase === 'Released', 'NFS volume Released', 30_000);
    await k('delete', 'pv', pvName, '--timeout=60s');
    await k('delete', 'storageclass', 'nfs');
  }, 120_000);
});
