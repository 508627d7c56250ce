/**
 * The decisions of the PersistentVolume binder (upstream's pkg/controller/volume/persistentvolume
 * syncClaim/syncVolume), as pure functions of the claim or volume and the cached state around it.
 * The controller (pv-controller.ts) carries them out. Provisioning for the built-in local
 * provisioner is done by the agent of the chosen node (agent/volumes/local-provisioner.ts): the
 * binder only marks the claim (storage-provisioner annotation, and for Immediate claims the
 * selected-node annotation) and binds the volume the agent creates.
 */
import { nodeFactsOf } from '../../api/node-selector.js';
import {
  ANN,
  bindingMode,
  claimClassName,
  claimRefMatches,
  findMatchingVolume,
  LOCAL_PROVISIONER,
  NFS_PROVISIONER,
  nfsVolumeFor,
  provisionedVolumeName,
  volumeMismatch,
} from '../../api/storage.js';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ClaimDecision =
  /** Nothing to change. */
  | { kind: 'none' }
  /** Bind claim and volume both ways (each write only where it is missing). */
  | { kind: 'bind'; volume: any }
  /** The bound volume is gone. */
  | { kind: 'lost'; event: EventSpec }
  /** Create `volume` (pre-bound to the claim); the next sync binds it. */
  | { kind: 'provision'; volume: any; annotations?: Record<string, string>; event: EventSpec }
  /** Stays Pending; optionally annotate the claim and record an event. */
  | { kind: 'pending'; annotations?: Record<string, string>; event?: EventSpec };

export interface ClaimInput {
  claim: any;
  /** Every PersistentVolume. */
  volumes: readonly any[];
  /** StorageClasses by name. */
  classes: ReadonlyMap<string, any>;
  /** Nodes by name (for the selected node's labels, and the node an Immediate local claim goes to). */
  nodes: ReadonlyMap<string, any>;
}

const externalProvisioningMessage = (provisioner: string) =>
  `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.` +
  ` (Tugboat runs no provisioner named '${provisioner}'; it provides '${LOCAL_PROVISIONER}' and '${NFS_PROVISIONER}'. Create a matching PersistentVolume by hand, or use a StorageClass with provisioner ${LOCAL_PROVISIONER} or ${NFS_PROVISIONER}.)`;

/** Whether a node is Ready and accepts pods (the node an Immediate local claim may go to). */
function nodeUsable(node: any): boolean {
  if (node?.spec?.unschedulable) return false;
  return (node?.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The node an Immediate claim of the local provisioner is provisioned on: the usable node with
 * the fewest locally provisioned volumes, ties by name; undefined when none is usable.
 */
export function nodeForImmediateClaim(nodes: ReadonlyMap<string, any>, volumes: readonly any[]): string | undefined {
  const counts = new Map<string, number>();
  for (const pv of volumes) {
    const n = pv?.metadata?.annotations?.[ANN.selectedNode] ?? pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values?.[0];
    if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [name, node] of [...nodes].sort(([a], [b]) => a.localeCompare(b))) {
    if (!nodeUsable(node)) continue;
    if (best === undefined || (counts.get(name) ?? 0) < (counts.get(best) ?? 0)) best = name;
  }
  return best;
}

/** What to do about a claim (not being deleted: the protection controller handles those). */
export function decideClaim({ claim, volumes, classes, nodes }: ClaimInput): ClaimDecision {
  const name = claim.metadata.name;
  const volumeName: string | undefined = claim.spec?.volumeName || undefined;
  const ann = claim.metadata.annotations ?? {};

  if (volumeName) {
    const pv = volumes.find((v) => v.metadata.name === volumeName);
    if (!pv) {
      if (ann[ANN.bindCompleted] === 'yes') {
        if (claim.status?.phase === 'Lost') return { kind: 'none' };
        return { kind: 'lost', event: { type: 'Warning', reason: 'ClaimLost', message: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!' } };
      }
      return { kind: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${volumeName}" not found` } };
    }
    if (pv.spec?.claimRef && !claimRefMatches(pv, claim)) {
      return { kind: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${volumeName}" already bound to a different claim.` } };
    }
    if (!pv.spec?.claimRef) {
      const why = volumeMismatch(pv, claim);
      if (why) return { kind: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `Cannot bind to requested volume "${volumeName}": ${why}` } };
    }
    if (claim.status?.phase === 'Bound' && pv.spec?.claimRef && pv.status?.phase === 'Bound' && ann[ANN.bindCompleted] === 'yes') return { kind: 'none' };
    return { kind: 'bind', volume: pv };
  }

  const className = claimClassName(claim);
  const sc = className ? classes.get(className) : undefined;
  const selectedNode: string | undefined = ann[ANN.selectedNode];
  const delayed = sc !== undefined && bindingMode(sc) === 'WaitForFirstConsumer';

  // Static volumes first (for a delayed class only once the scheduler chose a node, and only one that admits it).
  if (!delayed || selectedNode) {
    const node = delayed && selectedNode ? nodeFactsOf(nodes.get(selectedNode) ?? { metadata: { name: selectedNode, labels: {} } }) : undefined;
    const pv = findMatchingVolume(claim, volumes, node);
    if (pv) return { kind: 'bind', volume: pv };
  }

  if (!className) {
    return { kind: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' } };
  }
  if (!sc) {
    return { kind: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${className}" not found` } };
  }
  if (delayed && !selectedNode) {
    return { kind: 'pending', event: { type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' } };
  }
  const provisioner: string = sc.provisioner ?? '';
  const annotations: Record<string, string> = {};
  if (ann[ANN.storageProvisioner] !== provisioner) annotations[ANN.storageProvisioner] = provisioner;
  if (ann[ANN.betaStorageProvisioner] !== provisioner) annotations[ANN.betaStorageProvisioner] = provisioner;
  if (provisioner === NFS_PROVISIONER) {
    const made = nfsVolumeFor(claim, sc);
    const ns = claim.metadata.namespace;
    if ('error' in made) return { kind: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `failed to provision volume with StorageClass "${className}": ${made.error}` } };
    if (volumes.some((v) => v.metadata?.name === provisionedVolumeName(claim))) {
      // Made already but not matching the claim any more (e.g. its request grew): say so rather than loop.
      return { kind: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `volume "${provisionedVolumeName(claim)}" exists but does not match claim "${ns}/${name}"` } };
    }
    const { server, path } = made.volume.spec.nfs;
    return {
      kind: 'provision',
      volume: made.volume,
      annotations: Object.keys(annotations).length ? annotations : undefined,
      event: { type: 'Normal', reason: 'ProvisioningSucceeded', message: `Successfully provisioned volume ${made.volume.metadata.name}: NFS ${server}:${path} (the first node that mounts it creates the directory)` },
    };
  }
  if (provisioner !== LOCAL_PROVISIONER) {
    return { kind: 'pending', annotations: Object.keys(annotations).length ? annotations : undefined, event: { type: 'Normal', reason: 'ExternalProvisioning', message: externalProvisioningMessage(provisioner) } };
  }
  let node = selectedNode;
  if (!node) {
    node = nodeForImmediateClaim(nodes, volumes);
    if (!node) return { kind: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `no Ready node to create a local volume on for claim "${claim.metadata.namespace}/${name}"` } };
    annotations[ANN.selectedNode] = node;
  }
  return {
    kind: 'pending',
    annotations: Object.keys(annotations).length ? annotations : undefined,
    event: { type: 'Normal', reason: 'Provisioning', message: `waiting for the agent of node "${node}" to create a local volume (provisioner ${LOCAL_PROVISIONER}) for claim "${claim.metadata.namespace}/${name}"` },
  };
}

export type VolumeDecision =
  | { kind: 'none' }
  /** Set status.phase (and message), with an optional event. */
  | { kind: 'phase'; phase: 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string; event?: EventSpec };

/**
 * What to do about a volume given its claim: `claim` is the object its claimRef names (looked up
 * by namespace/name; undefined when it does not exist, which the caller confirms with the API
 * before believing a cache). Released volumes with reclaimPolicy Delete that the local
 * provisioner made are deleted by their node's agent; other Delete volumes fail (no deleter).
 */
export function decideVolume(pv: any, claim: any | undefined): VolumeDecision {
  const phase = pv.status?.phase;
  const to = (p: 'Available' | 'Bound' | 'Released' | 'Failed', extra: Partial<Extract<VolumeDecision, { kind: 'phase' }>> = {}): VolumeDecision =>
    phase === p ? { kind: 'none' } : { kind: 'phase', phase: p, ...extra };
  const ref = pv.spec?.claimRef;
  if (!ref) return to('Available');
  if (claim && claimRefMatches(pv, claim)) {
    if (claim.spec?.volumeName === pv.metadata.name) return to('Bound');
    if (!claim.spec?.volumeName) return to('Available'); // pre-bound: the claim's sync binds it
  }
  // The claim is gone (or a different claim of that name exists): released.
  if (phase === 'Failed') return { kind: 'none' };
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy === 'Delete' && pv.metadata.annotations?.[ANN.provisionedBy] === NFS_PROVISIONER && pv.spec?.nfs) {
    const message = `volume "${pv.metadata.name}" has reclaimPolicy Delete, but Tugboat does not remove NFS data yet: the directory ${pv.spec.nfs.server}:${pv.spec.nfs.path} is kept; remove it on the server, then delete this PersistentVolume`;
    return to('Failed', { message, event: { type: 'Warning', reason: 'VolumeFailedDelete', message } });
  }
  if (policy === 'Delete' && pv.metadata.annotations?.[ANN.provisionedBy] !== LOCAL_PROVISIONER) {
    const message = `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`;
    return to('Failed', { message, event: { type: 'Warning', reason: 'VolumeFailedDelete', message } });
  }
  if (policy === 'Recycle') {
    const message = 'recycling volumes is not supported: use Retain or Delete';
    return to('Failed', { message, event: { type: 'Warning', reason: 'VolumeFailedRecycle', message } });
  }
  return to('Released');
}

/** Whether a pod keeps a claim in use (it is not finished). */
function podActive(pod: any): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * Whether the pvc-protection finalizer may come off a claim being deleted: no unfinished pod of
 * its namespace mounts it (upstream's pvc-protection controller).
 */
export function claimInUse(claim: any, pods: readonly any[]): any | undefined {
  const name = claim.metadata.name;
  return pods.find((p) => p.metadata?.namespace === claim.metadata.namespace && podActive(p) && ((p.spec?.volumes ?? []) as any[]).some((v) => v.persistentVolumeClaim?.claimName === name || (v.ephemeral && `${p.metadata.name}-${v.name}` === name)));
}

/** Whether a volume being deleted is still in use: bound to a claim (upstream's pv-protection). */
export function volumeInUse(pv: any): boolean {
  return pv.status?.phase === 'Bound' && !!pv.spec?.claimRef;
}
