/**
 * Where ConfigMaps and Secrets come from for env vars and volumes: read from the API server at
 * each use (a pod sync), so mounted files and new containers see current data. A missing object
 * is `undefined`; other failures reject.
 */
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { RESOURCES } from '../../control-plane/api/registry.js';
import { isNotFound, type ApiClient } from '../../control-plane/client/api-client.js';

const configmaps = RESOURCES.find((r) => r.plural === 'configmaps' && r.group === '')!;
const secrets = RESOURCES.find((r) => r.plural === 'secrets' && r.group === '')!;

export interface ConfigSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

async function getOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function apiConfigSource(client: ApiClient): ConfigSource {
  return {
    configMap: (namespace, name) => getOrUndefined(() => client.get<ConfigMap>(configmaps, namespace, name)),
    secret: (namespace, name) => getOrUndefined(() => client.get<Secret>(secrets, namespace, name)),
  };
}

/** A Secret's keys and decoded values (data is base64; stringData, if a server kept it, is plain). */
export function secretData(secret: Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries((secret as { stringData?: Record<string, string> }).stringData ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  return out;
}

/** A ConfigMap's keys and values (data as UTF-8, binaryData decoded from base64). */
export function configMapData(cm: ConfigMap): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** Upstream's messages for missing objects and keys. */
export const missing = {
  configMap: (name: string) => `configmap "${name}" not found`,
  secret: (name: string) => `secret "${name}" not found`,
};

const claims = RESOURCES.find((r) => r.plural === 'persistentvolumeclaims')!;
const volumes = RESOURCES.find((r) => r.plural === 'persistentvolumes')!;

/** Where persistentVolumeClaim volumes come from: the claim and the volume bound to it, read at each pod sync. */
export interface ClaimSource {
  claim(namespace: string, name: string): Promise<any | undefined>;
  volume(name: string): Promise<any | undefined>;
}

export function apiClaimSource(client: ApiClient): ClaimSource {
  return {
    claim: (namespace, name) => getOrUndefined(() => client.get(claims, namespace, name)),
    volume: (name) => getOrUndefined(() => client.get(volumes, undefined, name)),
  };
}
