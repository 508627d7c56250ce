/**
 * First-start state every cluster has: the system namespaces, the cluster CA, its public
 * cluster-info, and an admin token.
 * Each step is idempotent, so every server start runs them; several servers may race safely
 * (AlreadyExists means another one won).
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { CLUSTER_INFO, clusterInfoConfigMap, type ClusterInfo } from '../api/cluster-info.js';
import { findResource } from '../api/registry.js';
import type { StatusError } from '../api/status.js';
import { ANN, DEFAULT_STORAGE_CLASS, LOCAL_PROVISIONER } from '../api/storage.js';
import { SYSTEM_PRIORITY_CLASSES } from '../apiserver/admission.js';
import { createCA, type KeyPairPem } from '../client/certs.js';
import type { RequestContext } from '../apiserver/context.js';
import { rfc3339 } from '../apiserver/object-meta.js';
import type { ResourceService } from '../apiserver/resource-service.js';
import { CA_SECRET_NAME, createToken, TOKEN_NAMESPACE, tokenIsValid, type TokenSpec } from '../apiserver/tokens.js';
import type { KObject, Store } from '../store/store.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const CA_SECRET = { resource: 'core/secrets', namespace: TOKEN_NAMESPACE, name: CA_SECRET_NAME };

function systemContext(): RequestContext {
  return { user: { name: 'system:apiserver', groups: ['system:masters'] }, fieldManager: 'tug-server', dryRun: false, fieldValidation: 'Strict', warnings: [], now: new Date() };
}

const alreadyExists = (err: unknown) => (err as StatusError).code === 409;

export async function ensureSystemNamespaces(service: ResourceService): Promise<void> {
  const def = findResource('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await service.create(def, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, systemContext());
    } catch (err) {
      if (!alreadyExists(err)) throw err;
    }
  }
}

/** The PriorityClasses every cluster has (system-node-critical, system-cluster-critical). */
export async function ensureSystemPriorityClasses(service: ResourceService): Promise<void> {
  const def = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  for (const c of SYSTEM_PRIORITY_CLASSES) {
    try {
      await service.create(def, '', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: c.name }, value: c.value, description: c.description }, systemContext());
    } catch (err) {
      if (!alreadyExists(err)) throw err;
    }
  }
}

/**
 * The StorageClass `local` (provisioner tugboat.dev/local: a directory per volume on the node the
 * pod goes to; WaitForFirstConsumer; reclaimPolicy Delete), marked default, created on a server's
 * start unless the cluster has a StorageClass of that name already or another default class
 * (an administrator's choice is kept; deleting `local` brings it back at the next start).
 */
export async function ensureDefaultStorageClass(service: ResourceService): Promise<void> {
  const def = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
  const items: any[] = (await service.list(def, { namespace: '' })).raw.items;
  if (items.some((c) => c.metadata?.name === DEFAULT_STORAGE_CLASS)) return;
  const isDefault = !items.some((c) => c.metadata?.annotations?.[ANN.defaultClass] === 'true' || c.metadata?.annotations?.[ANN.betaDefaultClass] === 'true');
  const sc = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [ANN.defaultClass]: String(isDefault) } },
    provisioner: LOCAL_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: false,
  };
  try {
    await service.create(def, '', sc, systemContext());
  } catch (err) {
    if (!alreadyExists(err)) throw err;
  }
}

/**
 * Publishes (or refreshes) the cluster-info ConfigMap in kube-public: the server URL and CA that
 * joining nodes read anonymously. Idempotent; with several servers the last to start wins.
 */
export async function ensureClusterInfo(service: ResourceService, info: ClusterInfo): Promise<void> {
  const def = findResource('', 'v1', 'configmaps')!;
  const desired = clusterInfoConfigMap(info);
  try {
    await service.create(def, CLUSTER_INFO.namespace, desired, systemContext());
    return;
  } catch (err) {
    if (!alreadyExists(err)) throw err;
  }
  const current = await service.get(def, CLUSTER_INFO.namespace, CLUSTER_INFO.name);
  if (current.data?.kubeconfig === desired.data.kubeconfig) return;
  try {
    await service.update(def, CLUSTER_INFO.namespace, CLUSTER_INFO.name, { ...current, data: desired.data }, '', systemContext());
  } catch (err) {
    // Another server refreshed it meanwhile: its answer is as good as ours.
    if ((err as StatusError).code !== 409) throw err;
  }
}

/** The cluster CA, created on first start and shared by every server through the store. */
export async function ensureClusterCA(store: Store): Promise<KeyPairPem> {
  const read = async () => {
    const secret = await store.get<any>(CA_SECRET);
    return {
      certPem: Buffer.from(secret.data['tls.crt'], 'base64').toString('utf8'),
      keyPem: Buffer.from(secret.data['tls.key'], 'base64').toString('utf8'),
    };
  };
  try {
    return await read();
  } catch (err) {
    if ((err as StatusError).code !== 404) throw err;
  }
  const ca = await createCA('tugboat-ca');
  const secret: KObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: CA_SECRET.name, namespace: CA_SECRET.namespace, uid: randomUUID(), creationTimestamp: rfc3339(new Date()) },
    type: 'tugboat.dev/ca',
    data: { 'tls.crt': Buffer.from(ca.certPem).toString('base64'), 'tls.key': Buffer.from(ca.keyPem).toString('base64') },
  };
  try {
    await store.create(CA_SECRET, secret);
    return ca;
  } catch (err) {
    if (!alreadyExists(err)) throw err;
    return read();
  }
}

/**
 * The token kept in `tokenFile` (0600) for `spec.user`: reused while the store still knows it,
 * created otherwise (first start, or a store that was wiped).
 */
export async function ensureTokenFile(store: Store, tokenFile: string, spec: TokenSpec): Promise<string> {
  try {
    const existing = (await readFile(tokenFile, 'utf8')).trim();
    if (existing && (await tokenIsValid(store, existing))) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = await createToken(store, spec);
  await writeFile(tokenFile, token + '\n', { mode: 0o600 });
  return token;
}
