/**
 * Pure helpers on PersistentVolumes, PersistentVolumeClaims and StorageClasses shared by the
 * volume binder (controllers/volume), the scheduler's VolumeBinding plugin, admission, the node
 * authorizer and the agent's local provisioner: upstream's annotation and finalizer names, claim ↔
 * volume matching (as pkg/controller/volume/persistentvolume's findMatchingVolume), and the nodes a
 * volume's nodeAffinity admits. Nothing here does I/O or throws for malformed input.
 */
import { selectorFromLabelSelector } from './labels.js';
import { nodeSelectorPredicate, type NodeFacts } from './node-selector.js';
import { parseQuantity } from './quantity.js';

/** The provisioner name of Tugboat's built-in node-local provisioner. */
export const LOCAL_PROVISIONER = 'tugboat.dev/local';
/**
 * The provisioner name of Tugboat's NFS provisioner: a StorageClass with parameters `server` and
 * `path` (an export the user names) yields, per claim, a PersistentVolume with spec.nfs pointing
 * at the sub-directory `<path>/<namespace>-<claim>-<pv name>` of that export (nfsVolumeFor).
 */
export const NFS_PROVISIONER = 'tugboat.dev/nfs';
/** The provisioners Tugboat itself runs. */
export const BUILTIN_PROVISIONERS: readonly string[] = [LOCAL_PROVISIONER, NFS_PROVISIONER];
/** The StorageClass every cluster gets at first start (unless one exists), marked default. */
export const DEFAULT_STORAGE_CLASS = 'local';

export const ANN = {
  defaultClass: 'storageclass.kubernetes.io/is-default-class',
  betaDefaultClass: 'storageclass.beta.kubernetes.io/is-default-class',
  selectedNode: 'volume.kubernetes.io/selected-node',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
} as const;

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The class a claim asks for: spec.storageClassName, else the beta annotation, else '' (no class). */
export function claimClassName(claim: any): string {
  return claim?.spec?.storageClassName ?? claim?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** The class a volume belongs to ('' for none). */
export function volumeClassName(pv: any): string {
  return pv?.spec?.storageClassName ?? pv?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export function isDefaultClass(sc: any): boolean {
  const a = sc?.metadata?.annotations ?? {};
  return a[ANN.defaultClass] === 'true' || a[ANN.betaDefaultClass] === 'true';
}

/** The default class among `classes`: upstream picks the newest default one when several are marked. */
export function defaultClassOf(classes: readonly any[]): any | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  return defaults[0];
}

export function bindingMode(sc: any): 'Immediate' | 'WaitForFirstConsumer' {
  return sc?.volumeBindingMode === 'WaitForFirstConsumer' ? 'WaitForFirstConsumer' : 'Immediate';
}

/** Bytes a claim requests (spec.resources.requests.storage), 0 when absent or malformed. */
export function requestedBytes(claim: any): number {
  const q = claim?.spec?.resources?.requests?.storage;
  if (q === undefined) return 0;
  try {
    return parseQuantity(q);
  } catch {
    return 0;
  }
}

export function capacityBytes(pv: any): number {
  const q = pv?.spec?.capacity?.storage;
  if (q === undefined) return 0;
  try {
    return parseQuantity(q);
  } catch {
    return 0;
  }
}

/** Whether the volume's claimRef names this claim (by uid when the reference carries one). */
export function claimRefMatches(pv: any, claim: any): boolean {
  const ref = pv?.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** Whether the volume admits `node` (true when it has no node affinity). */
export function volumeFitsNode(pv: any, node: NodeFacts): boolean {
  const required = pv?.spec?.nodeAffinity?.required;
  if (!required) return true;
  return nodeSelectorPredicate(required)(node);
}

/**
 * The node names a volume's required nodeAffinity pins it to, when every term names nodes only
 * (`kubernetes.io/hostname In [...]` or `metadata.name In [...]` and nothing else); undefined when
 * the volume has no affinity or an affinity of any other shape.
 */
export function pinnedNodes(pv: any): string[] | undefined {
  const terms: any[] | undefined = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    const reqs = [...((term?.matchExpressions ?? []) as any[]).map((r) => ({ ...r, field: false })), ...((term?.matchFields ?? []) as any[]).map((r) => ({ ...r, field: true }))];
    if (reqs.length !== 1) return undefined;
    const r = reqs[0];
    const keyOk = r.field ? r.key === 'metadata.name' : r.key === HOSTNAME_LABEL;
    if (!keyOk || r.operator !== 'In' || !Array.isArray(r.values) || r.values.length === 0) return undefined;
    for (const v of r.values) names.add(String(v));
  }
  return [...names];
}

/** The required nodeAffinity pinning a volume to one node by its hostname label. */
export function nodeAffinityFor(node: string): any {
  return { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node] }] }] } };
}

/** Why `pv` cannot serve `claim` (ignoring who else holds it), or undefined when it can. */
export function volumeMismatch(pv: any, claim: any): string | undefined {
  if (volumeClassName(pv) !== claimClassName(claim)) return 'storage class differs';
  const want: string[] = claim?.spec?.accessModes ?? [];
  const have: string[] = pv?.spec?.accessModes ?? [];
  for (const m of want) if (!have.includes(m)) return `access mode ${m} missing`;
  if ((claim?.spec?.volumeMode ?? 'Filesystem') !== (pv?.spec?.volumeMode ?? 'Filesystem')) return 'volume mode differs';
  if (capacityBytes(pv) < requestedBytes(claim)) return 'capacity too small';
  if (claim?.spec?.selector) {
    try {
      if (!selectorFromLabelSelector(claim.spec.selector).matches(pv?.metadata?.labels ?? {})) return 'selector does not match';
    } catch {
      return 'selector invalid';
    }
  }
  return undefined;
}

/**
 * The volume to bind `claim` to among `volumes`, as upstream's findMatchingVolume: a volume
 * pre-bound to the claim wins; otherwise the smallest Available, unclaimed volume that matches
 * (class, access modes, volume mode, capacity, selector) and, when `node` is given, admits it.
 * Volumes being deleted are never chosen.
 */
export function findMatchingVolume(claim: any, volumes: readonly any[], node?: NodeFacts): any | undefined {
  let best: any;
  for (const pv of volumes) {
    if (pv?.metadata?.deletionTimestamp) continue;
    if (volumeMismatch(pv, claim)) continue;
    if (node && !volumeFitsNode(pv, node)) continue;
    if (pv.spec?.claimRef) {
      if (claimRefMatches(pv, claim)) return pv;
      continue;
    }
    if ((pv.status?.phase ?? 'Available') !== 'Available' && pv.status?.phase !== 'Pending') continue;
    if (!best || capacityBytes(pv) < capacityBytes(best)) best = pv;
  }
  return best;
}

/** The claims a pod spec mounts (persistentVolumeClaim volumes and ephemeral volumes' claims), by name. */
export function podClaimNames(pod: any): string[] {
  const out: string[] = [];
  for (const v of pod?.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v?.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

/** The name upstream's provisioners give a claim's volume. */
export const provisionedVolumeName = (claim: any): string => `pvc-${claim?.metadata?.uid}`;

/**
 * A PersistentVolume a provisioner makes for `claim` of class `sc` with the volume `source` (e.g.
 * `{ local: … , nodeAffinity: … }` or `{ nfs: … }`) (pure): named `name`, annotated with the
 * provisioner, the claim's request, access and volume modes, the class's reclaimPolicy (default
 * Delete) and mountOptions, and a claimRef to the claim so the binder binds the two.
 */
export function provisionedVolume(claim: any, sc: any, name: string, provisioner: string, source: Record<string, unknown>): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN.provisionedBy]: provisioner } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '0' },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: claimClassName(claim),
      ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
      ...source,
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
    },
  };
}

/**
 * The PersistentVolume the NFS provisioner makes for `claim` of class `sc` (provisioner
 * tugboat.dev/nfs), or why it cannot (parameters `server` and `path` missing or `path` not
 * absolute). Pure. The volume points at the sub-directory `<path>/<namespace>-<claim>-<pv name>`
 * of the export (made by the first agent that mounts it), has the claim's access modes
 * (ReadWriteMany included) and request, the class's reclaimPolicy (default Delete), mountOptions
 * and name, no node affinity (any node with an NFS client can mount it), and a claimRef to the
 * claim so the binder binds the two.
 */
export function nfsVolumeFor(claim: any, sc: any): { volume: any } | { error: string } {
  const params: Record<string, string> = sc?.parameters ?? {};
  const server = String(params.server ?? '').trim();
  const exportPath = String(params.path ?? '').trim();
  const className = sc?.metadata?.name ?? '';
  if (!server) return { error: `StorageClass "${className}" (provisioner ${NFS_PROVISIONER}) needs parameters.server: the NFS server's host name or address` };
  if (!exportPath.startsWith('/')) return { error: `StorageClass "${className}" (provisioner ${NFS_PROVISIONER}) needs parameters.path: the absolute path of the export on the server, got ${JSON.stringify(exportPath)}` };
  const name = provisionedVolumeName(claim);
  const base = exportPath.replace(/\/+$/, '') || '';
  const path = `${base}/${claim.metadata.namespace}-${claim.metadata.name}-${name}`;
  return { volume: provisionedVolume(claim, sc, name, NFS_PROVISIONER, { nfs: { server, path } }) };
}
