/**
 * What cluster DNS answers from: Services, EndpointSlices and Namespaces, kept by the informers'
 * handlers and indexed for lookups that cost a few map reads whatever the cluster's size: a
 * Service by namespace/name, the slices of a Service (by their `kubernetes.io/service-name`
 * label), and Services and slices by IP for reverse lookups. Objects are the informers' shared
 * objects: read only. Not thread-safe (one event loop); every method is synchronous.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { canonicalIP } from './ip-address.js';

/** The label tying an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** Adds `value` to the set at `k`. */
function addTo(map: Map<string, Set<string>>, k: string, value: string): void {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(value);
}

/** Removes `value` from the set at `k`, dropping the set when it empties. */
function removeFrom(map: Map<string, Set<string>>, k: string, value: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(k);
}

/** The cluster IPs of a Service (spec.clusterIPs, else spec.clusterIP), without "None" and empty values. */
export function clusterIPsOf(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
}

/** Every address of a slice's endpoints, canonical, for the reverse index. */
function sliceAddresses(slice: EndpointSlice): string[] {
  if (slice.addressType === 'FQDN') return [];
  const out: string[] = [];
  for (const ep of slice.endpoints ?? []) {
    for (const a of ep.addresses ?? []) {
      const ip = canonicalIP(a);
      if (ip) out.push(ip);
    }
  }
  return out;
}

export class ClusterIndex {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  /** Service key → keys of its slices. */
  private readonly slicesOfService = new Map<string, Set<string>>();
  private readonly namespaces = new Set<string>();
  private readonly servicesByIP = new Map<string, Set<string>>();
  private readonly slicesByIP = new Map<string, Set<string>>();
  private modified: number;

  constructor(private readonly now: () => number = Date.now) {
    this.modified = now();
  }

  /** Adds or replaces a Service (idempotent). */
  putService(svc: Service): void {
    const k = key(svc.metadata!.namespace!, svc.metadata!.name!);
    this.dropService(k);
    this.services.set(k, svc);
    for (const ip of clusterIPsOf(svc)) {
      const c = canonicalIP(ip);
      if (c) addTo(this.servicesByIP, c, k);
    }
    this.touch();
  }

  deleteService(svc: Service): void {
    this.dropService(key(svc.metadata!.namespace!, svc.metadata!.name!));
    this.touch();
  }

  private dropService(k: string): void {
    const old = this.services.get(k);
    if (!old) return;
    this.services.delete(k);
    for (const ip of clusterIPsOf(old)) {
      const c = canonicalIP(ip);
      if (c) removeFrom(this.servicesByIP, c, k);
    }
  }

  /** Adds or replaces an EndpointSlice (idempotent); slices without the service-name label are kept out. */
  putSlice(slice: EndpointSlice): void {
    const k = key(slice.metadata!.namespace!, slice.metadata!.name!);
    this.dropSlice(k);
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (service) {
      this.slices.set(k, slice);
      addTo(this.slicesOfService, key(slice.metadata!.namespace!, service), k);
      for (const ip of sliceAddresses(slice)) addTo(this.slicesByIP, ip, k);
    }
    this.touch();
  }

  deleteSlice(slice: EndpointSlice): void {
    this.dropSlice(key(slice.metadata!.namespace!, slice.metadata!.name!));
    this.touch();
  }

  private dropSlice(k: string): void {
    const old = this.slices.get(k);
    if (!old) return;
    this.slices.delete(k);
    removeFrom(this.slicesOfService, key(old.metadata!.namespace!, old.metadata!.labels![SERVICE_NAME_LABEL]!), k);
    for (const ip of sliceAddresses(old)) removeFrom(this.slicesByIP, ip, k);
  }

  putNamespace(name: string): void {
    this.namespaces.add(name);
    this.touch();
  }

  deleteNamespace(name: string): void {
    this.namespaces.delete(name);
    this.touch();
  }

  private touch(): void {
    this.modified = this.now();
  }

  namespaceExists(name: string): boolean {
    return this.namespaces.has(name);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.services.get(key(namespace, name));
  }

  /** The EndpointSlices of Service namespace/name (any order). */
  slicesOf(namespace: string, service: string): EndpointSlice[] {
    const keys = this.slicesOfService.get(key(namespace, service));
    if (!keys) return [];
    const out: EndpointSlice[] = [];
    for (const k of keys) out.push(this.slices.get(k)!);
    return out;
  }

  /** Services with cluster IP `ip` (canonical form). */
  servicesWithIP(ip: string): Service[] {
    return [...(this.servicesByIP.get(ip) ?? [])].map((k) => this.services.get(k)!);
  }

  /** EndpointSlices with an endpoint address `ip` (canonical form). */
  slicesWithIP(ip: string): EndpointSlice[] {
    return [...(this.slicesByIP.get(ip) ?? [])].map((k) => this.slices.get(k)!);
  }

  /** When the data last changed (ms since the epoch): the zone's SOA serial. */
  modifiedAt(): number {
    return this.modified;
  }
}
