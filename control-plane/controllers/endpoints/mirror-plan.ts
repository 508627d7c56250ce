/**
 * EndpointSlices mirrored from a hand-written core/v1 Endpoints object, as upstream's
 * endpointslicemirroring reconciler plans them: for a Service without selector, each distinct
 * (address type, port set) of the Endpoints' subsets becomes one slice (ready addresses ready, not
 * ready ones not), at most 1000 addresses per subset; labels and annotations are the Endpoints'
 * (less kubectl's last-applied configuration) plus the service name and managed-by; the slices are
 * owned by the Endpoints object. An existing slice per port set is rewritten in place; extra ones
 * are deleted, or reused for slices that would otherwise be created. Pure.
 */
import { isIP, isIPv4 } from 'node:net';
import type { Endpoints, EndpointAddress, EndpointPort as CoreEndpointPort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointChanged, endpointKey, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, portsKey, replacing, sameEntries } from './slice-endpoints.js';

/** managed-by of mirrored slices (upstream's mirroring controller name). */
export const MIRROR_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
/** Upstream's default --mirroring-max-endpoints-per-subset. */
export const MAX_MIRRORED_PER_SUBSET = 1000;

const NOT_COPIED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'endpoints.kubernetes.io/last-change-trigger-time']);

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Addresses that are not IPs (not mirrored). */
  invalidAddresses: number;
  /** Valid addresses beyond the per-subset cap (not mirrored). */
  overCapacity: number;
}

interface Group {
  addressType: 'IPv4' | 'IPv6';
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

function slicePorts(ports: CoreEndpointPort[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => {
    const port: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol) port.appProtocol = p.appProtocol;
    return port;
  });
}

function toEndpoint(a: EndpointAddress, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.nodeName) ep.nodeName = a.nodeName;
  if (a.targetRef) ep.targetRef = a.targetRef;
  return ep;
}

/** The labels and annotations of a slice mirrored from `ep`. */
function mirroredMeta(ep: Endpoints): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels = { ...(ep.metadata?.labels ?? {}), [LABEL_SERVICE_NAME]: ep.metadata!.name!, [LABEL_MANAGED_BY]: MIRROR_CONTROLLER_NAME };
  const annotations = Object.fromEntries(Object.entries(ep.metadata?.annotations ?? {}).filter(([k]) => !NOT_COPIED_ANNOTATIONS.has(k)));
  return { labels, annotations };
}

function newMirrorSlice(ep: Endpoints, group: Group): EndpointSlice {
  const { labels, annotations } = mirroredMeta(ep);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${ep.metadata!.name}-`,
      namespace: ep.metadata!.namespace,
      labels,
      annotations,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata!.name!, uid: ep.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType: group.addressType,
    endpoints: [...group.endpoints.values()],
    ports: group.ports,
  };
}

const groupKey = (addressType: string | undefined, ports: EndpointPort[] | undefined) => `${addressType}/${portsKey(ports)}`;

/** Whether `slice` already lists exactly the group's endpoints and carries the right metadata. */
function upToDate(slice: EndpointSlice, ep: Endpoints, group: Group): boolean {
  const { labels, annotations } = mirroredMeta(ep);
  if (!sameEntries(slice.metadata?.labels, labels) || !sameEntries(slice.metadata?.annotations, annotations)) return false;
  const have = slice.endpoints ?? [];
  if (have.length !== group.endpoints.size) return false;
  return have.every((e) => {
    const want = group.endpoints.get(endpointKey(e));
    return want !== undefined && !endpointChanged(want, e);
  });
}

export function planMirror(ep: Endpoints, existing: EndpointSlice[]): MirrorPlan {
  const plan: MirrorPlan = { create: [], update: [], delete: [], invalidAddresses: 0, overCapacity: 0 };
  const groups = new Map<string, Group>();
  for (const subset of ep.subsets ?? []) {
    const ports = slicePorts(subset.ports);
    let mirrored = 0;
    const entries: [EndpointAddress, boolean][] = [...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]), ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false])];
    for (const [address, ready] of entries) {
      if (!isIP(address.ip)) {
        plan.invalidAddresses++;
        continue;
      }
      if (mirrored >= MAX_MIRRORED_PER_SUBSET) {
        plan.overCapacity++;
        continue;
      }
      mirrored++;
      const addressType = isIPv4(address.ip) ? 'IPv4' : 'IPv6';
      const key = groupKey(addressType, ports);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { addressType, ports, endpoints: new Map() }));
      const endpoint = toEndpoint(address, ready);
      group.endpoints.set(endpointKey(endpoint), endpoint);
    }
  }

  const byKey = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const key = groupKey(slice.addressType, slice.ports);
    byKey.set(key, [...(byKey.get(key) ?? []), slice]);
  }
  for (const [key, group] of groups) {
    const [first, ...extra] = byKey.get(key) ?? [];
    plan.delete.push(...extra);
    if (!first) plan.create.push(newMirrorSlice(ep, group));
    else if (!upToDate(first, ep, group)) plan.update.push(replacing(first, newMirrorSlice(ep, group)));
  }
  for (const [key, slices] of byKey) if (!groups.has(key)) plan.delete.push(...slices);

  // Reuse slices about to be deleted for slices about to be created (the address type cannot change).
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const j = plan.create.findIndex((s) => s.addressType === plan.delete[i]!.addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const [fresh] = plan.create.splice(j, 1);
    plan.update.push(replacing(plan.delete[i]!, fresh!));
    plan.delete.splice(i, 1);
  }
  return plan;
}
