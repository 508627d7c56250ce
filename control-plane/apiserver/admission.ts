/**
 * Admission of new pods, as upstream's Priority and DefaultTolerationSeconds plugins do:
 * - a pod naming a PriorityClass gets its value (spec.priority) and preemptionPolicy; a missing
 *   class is refused (403); a pod naming none gets the globalDefault class, if one exists;
 * - every pod tolerates the not-ready and unreachable NoExecute taints for 300 s unless it says
 *   otherwise, so that pods leave a failed node after five minutes.
 * And of new claims and volumes (default StorageClass, protection finalizers): admitClaim, admitVolume.
 */
import { forbiddenMessage, type StatusError } from '../api/status.js';
import { claimClassName, defaultClassOf, LOCAL_PROVISIONER, NFS_PROVISIONER, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, requestedBytes } from '../api/storage.js';
import type { KObject, Store } from '../store/store.js';

export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** The classes every cluster has, as upstream creates them. */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

async function priorityClass(store: Store, name: string): Promise<any | undefined> {
  try {
    return await store.get({ resource: 'scheduling.k8s.io/priorityclasses', namespace: '', name });
  } catch (err) {
    if ((err as StatusError).code === 404) return undefined;
    throw err;
  }
}

async function setPriority(store: Store, pod: any): Promise<void> {
  const spec = pod.spec;
  let cls: any;
  if (spec.priorityClassName) {
    cls = await priorityClass(store, spec.priorityClassName);
    if (!cls) {
      throw forbiddenMessage({ group: '', resource: 'pods', name: pod.metadata.name }, `pods "${pod.metadata.name}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`);
    }
  } else {
    const all = await store.list<any>('scheduling.k8s.io/priorityclasses');
    cls = all.items.find((c) => c.globalDefault === true);
    if (cls) spec.priorityClassName = cls.metadata.name;
  }
  if (!cls) return;
  spec.priority = cls.value;
  spec.preemptionPolicy = cls.preemptionPolicy ?? 'PreemptLowerPriority';
}

function addDefaultTolerations(pod: any): void {
  const tolerations: any[] = (pod.spec.tolerations ??= []);
  const tolerates = (key: string) => tolerations.some((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerates(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
}

/** Admits a new pod (storage version, defaulted), in place. 403 when its PriorityClass is missing. */
export async function admitPod(store: Store, pod: KObject): Promise<void> {
  const spec = (pod as any).spec;
  if (!spec || typeof spec !== 'object') return;
  await setPriority(store, pod);
  addDefaultTolerations(pod);
}

/**
 * Admits a new PersistentVolumeClaim, in place, as upstream's DefaultStorageClass and
 * StorageObjectInUseProtection plugins: a claim naming no class (no storageClassName and no beta
 * annotation) gets the default StorageClass's name, if one is marked default; every claim gets the
 * kubernetes.io/pvc-protection finalizer.
 */
export async function admitClaim(store: Store, claim: KObject): Promise<void> {
  const c = claim as any;
  c.spec ??= {};
  if (c.spec.storageClassName === undefined && c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] === undefined) {
    const all = await store.list<any>('storage.k8s.io/storageclasses');
    const def = defaultClassOf(all.items);
    if (def) c.spec.storageClassName = def.metadata.name;
  }
  addFinalizer(c, PVC_PROTECTION_FINALIZER);
}

/** Admits a new PersistentVolume, in place: it gets the kubernetes.io/pv-protection finalizer. */
export function admitVolume(pv: KObject): void {
  addFinalizer(pv as any, PV_PROTECTION_FINALIZER);
}

function addFinalizer(obj: any, finalizer: string): void {
  obj.metadata ??= {};
  const finalizers: string[] = (obj.metadata.finalizers ??= []);
  if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
}

/**
 * Admits an update of a claim, as upstream's PersistentVolumeClaimResize: a larger storage request
 * is refused (403) unless the claim's StorageClass has allowVolumeExpansion, and refused too for
 * the local provisioner, which cannot grow a volume (its directories have no size to change).
 */
export async function admitClaimUpdate(store: Store, claim: KObject, old: KObject): Promise<void> {
  if (requestedBytes(claim) <= requestedBytes(old)) return;
  const name = claim.metadata?.name ?? '';
  const ref = { group: '', resource: 'persistentvolumeclaims', name };
  const className = claimClassName(old);
  let sc: any;
  if (className) {
    try {
      sc = await store.get({ resource: 'storage.k8s.io/storageclasses', namespace: '', name: className });
    } catch (err) {
      if ((err as StatusError).code !== 404) throw err;
    }
  }
  if (!sc?.allowVolumeExpansion) {
    throw forbiddenMessage(ref, `persistentvolumeclaims "${name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`);
  }
  if (sc.provisioner === LOCAL_PROVISIONER) {
    throw forbiddenMessage(ref, `persistentvolumeclaims "${name}" is forbidden: provisioner ${LOCAL_PROVISIONER} does not support volume expansion (StorageClass "${className}" sets allowVolumeExpansion, but local volumes cannot be resized)`);
  }
  if (sc.provisioner === NFS_PROVISIONER) {
    throw forbiddenMessage(ref, `persistentvolumeclaims "${name}" is forbidden: provisioner ${NFS_PROVISIONER} does not support volume expansion (StorageClass "${className}" sets allowVolumeExpansion, but an NFS volume's size is the export's)`);
  }
}
