/**
 * The built-in local provisioner (provisioner `tugboat.dev/local`), run by every agent for its own
 * node. The PersistentVolume binder marks a claim for it (annotation
 * volume.kubernetes.io/storage-provisioner: tugboat.dev/local) once no static volume fits, and the
 * node is named in volume.kubernetes.io/selected-node: by the scheduler for WaitForFirstConsumer
 * classes, by the binder (the Ready node with the fewest local volumes) for Immediate ones. The
 * agent of that node then
 *   - creates `<dataDir>/volumes/<pv name>` (mode 0777) and the PersistentVolume `pvc-<claim uid>`:
 *     spec.local.path, capacity = the claim's request, the claim's access and volume modes,
 *     nodeAffinity to this node (kubernetes.io/hostname), claimRef to the claim, the class's
 *     reclaimPolicy, mountOptions and name, annotation pv.kubernetes.io/provisioned-by; the binder
 *     binds the two;
 *   - once such a volume of this node is Released and its reclaimPolicy is Delete, removes the
 *     directory and deletes the volume. Retained volumes keep their data.
 * Level-based over informers of claims, volumes and StorageClasses; each step is idempotent (a
 * volume that exists is not made again; a directory that is gone is fine).
 */
import { mkdir, chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { storageResource } from '../../control-plane/api/registry.js';
import { ANN, claimClassName, LOCAL_PROVISIONER, nodeAffinityFor, pinnedNodes, provisionedVolume } from '../../control-plane/api/storage.js';
import { isAlreadyExists, isNotFound, type ApiClient } from '../../control-plane/client/api-client.js';
import { runController, type ControllerHandle } from '../../control-plane/client/controller.js';
import type { EventRecorder } from '../../control-plane/client/event-recorder.js';
import { Informer, keyOf } from '../../control-plane/client/informer.js';
import { WorkQueue } from '../../control-plane/client/workqueue.js';

const CLAIMS = storageResource('core/persistentvolumeclaims');
const VOLUMES = storageResource('core/persistentvolumes');
const CLASSES = storageResource('storage.k8s.io/storageclasses');

export interface LocalProvisionerDeps {
  client: ApiClient;
  nodeName: string;
  dataDir: string;
  recorder: EventRecorder;
  logger: Logger;
}

/** The directory of a locally provisioned volume. */
export function localVolumeDir(dataDir: string, pvName: string): string {
  return path.join(dataDir, 'volumes', pvName);
}

/** The name upstream's provisioners give a claim's volume. */
export const volumeNameFor = (claim: any) => `pvc-${claim.metadata.uid}`;

/** Whether this node's provisioner should make a volume for `claim` (pure). */
export function shouldProvision(claim: any, node: string, sc: any | undefined): boolean {
  const ann = claim.metadata?.annotations ?? {};
  if (claim.metadata?.deletionTimestamp || claim.spec?.volumeName) return false;
  if (ann[ANN.storageProvisioner] !== LOCAL_PROVISIONER && ann[ANN.betaStorageProvisioner] !== LOCAL_PROVISIONER) return false;
  if (ann[ANN.selectedNode] !== node) return false;
  return sc?.provisioner === LOCAL_PROVISIONER;
}

/** The PersistentVolume for `claim` on `node` (pure). */
export function localVolumeFor(claim: any, sc: any, node: string, dir: string): any {
  return provisionedVolume(claim, sc, volumeNameFor(claim), LOCAL_PROVISIONER, { local: { path: dir }, nodeAffinity: nodeAffinityFor(node) });
}

/** Whether this node's provisioner should delete `pv` and its data (pure). */
export function shouldDelete(pv: any, node: string): boolean {
  if (pv.metadata?.annotations?.[ANN.provisionedBy] !== LOCAL_PROVISIONER) return false;
  const nodes = pinnedNodes(pv);
  if (!nodes || nodes.length !== 1 || nodes[0] !== node) return false;
  return pv.status?.phase === 'Released' && (pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete') === 'Delete';
}

/** Starts the provisioner; returns at once. stop() ends its informers and workers. */
export function startLocalProvisioner(deps: LocalProvisionerDeps): ControllerHandle {
  const log = deps.logger.child({ component: 'local-provisioner' });
  const claims = new Informer(deps.client, CLAIMS, log);
  const volumes = new Informer(deps.client, VOLUMES, log);
  const classes = new Informer(deps.client, CLASSES, log);
  const queue = new WorkQueue();
  claims.addHandlers({ onAdd: (c) => queue.add(`claim/${keyOf(c)}`), onUpdate: (_o, c) => queue.add(`claim/${keyOf(c)}`) });
  volumes.addHandlers({ onAdd: (v) => queue.add(`volume/${v.metadata.name}`), onUpdate: (_o, v) => queue.add(`volume/${v.metadata.name}`) });
  classes.addHandlers({ onAdd: () => claims.list().forEach((c) => queue.add(`claim/${keyOf(c)}`)) });
  const volumesDir = path.join(deps.dataDir, 'volumes');

  async function provision(claim: any): Promise<void> {
    const sc = classes.get(claimClassName(claim));
    if (!shouldProvision(claim, deps.nodeName, sc)) return;
    const name = volumeNameFor(claim);
    if (volumes.get(name)) return;
    const dir = localVolumeDir(deps.dataDir, name);
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777);
    try {
      await deps.client.create(VOLUMES, undefined, localVolumeFor(claim, sc, deps.nodeName, dir));
      log.info({ claim: keyOf(claim), volume: name, dir }, 'local volume provisioned');
      deps.recorder.event({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: claim.metadata }, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name} at ${dir} on node ${deps.nodeName}`);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      deps.recorder.event({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: claim.metadata }, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${(err as Error).message}`);
      throw err;
    }
  }

  async function reclaim(pv: any): Promise<void> {
    if (!shouldDelete(pv, deps.nodeName)) return;
    const dir = path.resolve(pv.spec?.local?.path ?? pv.spec?.hostPath?.path ?? '');
    // Only ever a directory this provisioner made.
    if (path.dirname(dir) === volumesDir) await rm(dir, { recursive: true, force: true });
    try {
      await deps.client.delete(VOLUMES, undefined, pv.metadata.name, { preconditions: { uid: pv.metadata.uid } });
      log.info({ volume: pv.metadata.name, dir }, 'released local volume deleted');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  const reconcile = async (key: string) => {
    if (![claims, volumes, classes].every((i) => i.hasSynced())) return { requeueAfterMs: 200 };
    if (key.startsWith('claim/')) {
      const claim = claims.get(key.slice('claim/'.length));
      if (claim) await provision(claim);
    } else {
      const pv = volumes.get(key.slice('volume/'.length));
      if (pv) await reclaim(pv);
    }
  };
  claims.start();
  volumes.start();
  classes.start();
  const handle = runController('local-provisioner', queue, reconcile, log, 1);
  return {
    stop: async () => {
      claims.stop();
      volumes.stop();
      classes.stop();
      await handle.stop();
    },
  };
}
