/**
 * The downward API: pod fields and container resources as the strings env vars (fieldRef,
 * resourceFieldRef) and downwardAPI volume files carry, as upstream's fieldpath and resource
 * helpers produce them. Errors are plain Errors with upstream's wording.
 */
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { milliValue, parseQuantity } from '../../control-plane/api/quantity.js';

/** The node's allocatable resources: what an unset limit reads as. */
export interface NodeAllocatable {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
}

/** Addresses the pod's fields need (status.podIP(s), status.hostIP(s)). */
export interface PodAddresses {
  podIPs: string[];
  hostIPs: string[];
}

/** `k="v"` lines in key order, as upstream's FormatMap. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

const SUBSCRIPT = /^(metadata\.(?:labels|annotations))\['([^']*)'\]$/;

/** The value of a fieldRef (validation already limited env vars to the paths they may use). */
export function podFieldValue(pod: Pod, ref: ObjectFieldSelector, addresses: PodAddresses): string {
  const path = ref.fieldPath;
  const meta = pod.metadata ?? {};
  const sub = SUBSCRIPT.exec(path);
  if (sub) return (sub[1] === 'metadata.labels' ? meta.labels : meta.annotations)?.[sub[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return addresses.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return addresses.hostIPs.join(',');
    case 'status.podIP':
      return addresses.podIPs[0] ?? '';
    case 'status.podIPs':
      return addresses.podIPs.join(',');
    default:
      throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/**
 * The value of a resourceFieldRef for `container`: ceil(amount / divisor), cpu in millicores
 * before dividing; an unset limit reads as the node's allocatable amount, an unset request as 0.
 */
export function resourceFieldValue(container: Container, ref: ResourceFieldSelector, allocatable: NodeAllocatable): string {
  const divisor = ref.divisor === undefined || parseQuantity(ref.divisor) === 0 ? '1' : ref.divisor;
  const [kind, name] = ref.resource.split(/\.(.*)/s) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !name) throw new Error(`unsupported container resource : ${ref.resource}`);
  const value = (container.resources?.[kind] as Record<string, string | number> | undefined)?.[name];
  const fallback: Record<string, number> = kind === 'limits' ? { cpu: allocatable.cpuMilli / 1000, memory: allocatable.memoryBytes, 'ephemeral-storage': allocatable.ephemeralStorageBytes } : {};
  if (name === 'cpu') {
    const milli = value !== undefined ? milliValue(value) : Math.round((fallback.cpu ?? 0) * 1000);
    return String(Math.ceil(milli / milliValue(divisor)));
  }
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    const amount = value !== undefined ? parseQuantity(value) : (fallback[name] ?? 0);
    return String(Math.ceil(amount / parseQuantity(divisor)));
  }
  throw new Error(`unsupported container resource : ${ref.resource}`);
}
