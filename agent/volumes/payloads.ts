/**
 * The files of API-data volumes (configMap, secret, downwardAPI, projected), as upstream's
 * MakePayload functions lay them out: every key as a file named after it with defaultMode, or, with
 * `items`, only the listed keys at their paths with their own mode. A listed key that is missing
 * fails (unless the source is optional, then it is skipped). Pure functions.
 */
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { FileProjection } from './atomic-writer.js';
import { podFieldValue, resourceFieldValue, type NodeAllocatable, type PodAddresses } from './downward.js';
import { configMapData, secretData } from './sources.js';

export type Payload = Map<string, FileProjection>;

/** Upstream's default for defaultMode (0644). */
export const DEFAULT_MODE = 0o644;

function keyPayload(data: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, missingKey: (key: string) => string): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [key, value] of data) payload.set(key, { data: value, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new Error(missingKey(item.key));
    }
    payload.set(item.path, { data: value, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** A ConfigMap's files; `cm` undefined = missing and optional (no files). */
export function configMapPayload(cm: ConfigMap | undefined, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  return keyPayload(cm ? configMapData(cm) : new Map(), items, defaultMode, optional, (k) => `configmap references non-existent config key: ${k}`);
}

/** A Secret's files; `secret` undefined = missing and optional (no files). */
export function secretPayload(secret: Secret | undefined, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  return keyPayload(secret ? secretData(secret) : new Map(), items, defaultMode, optional, (k) => `references non-existent secret key: ${k}`);
}

export interface DownwardContext {
  addresses: PodAddresses;
  allocatable: NodeAllocatable;
}

/** downwardAPI items: pod fields and container resources as files. */
export function downwardAPIPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number, ctx: DownwardContext): Payload {
  const payload: Payload = new Map();
  for (const item of items ?? []) {
    let value: string;
    if (item.fieldRef) {
      value = podFieldValue(pod, item.fieldRef, ctx.addresses);
    } else if (item.resourceFieldRef) {
      const name = item.resourceFieldRef.containerName;
      const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
      if (!container) throw new Error(`container ${JSON.stringify(name)} not found`);
      value = resourceFieldValue(container, item.resourceFieldRef, ctx.allocatable);
    } else {
      continue;
    }
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return payload;
}
