/**
 * The core/v1 Endpoints of a Service, as upstream's endpoints controller computes them: every pod
 * that belongs in endpoints (terminating ones only with publishNotReadyAddresses), per Service port
 * its resolved target port, Ready pods (or all, with publishNotReadyAddresses) in `addresses`, the
 * rest in `notReadyAddresses`; then repacked into the canonical form (one subset per distinct set
 * of addresses, with all the ports they share) and sorted, so equal endpoints compare equal. At most
 * 1000 addresses are kept, as upstream truncates them. Pure.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../shared/pod-readiness.js';
import { podIPv4s, shouldPodBeInEndpoints, shouldSetHostname } from './pods.js';
import { endpointPorts } from './slice-endpoints.js';

/** Upstream's cap on the addresses of one Endpoints object. */
export const MAX_ENDPOINTS_ADDRESSES = 1000;
/** Annotation upstream sets when addresses were cut to the cap. */
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

function podAddress(pod: Pod, svc: Service): EndpointAddress | undefined {
  const ip = podIPv4s(pod)[0];
  if (!ip) return undefined;
  const address: EndpointAddress = {
    ip,
    nodeName: pod.spec?.nodeName,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (shouldSetHostname(pod, svc)) address.hostname = pod.spec!.hostname;
  return address;
}

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort | undefined) => (p ? JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']) : '');

function ipOrder(a: EndpointAddress, b: EndpointAddress): number {
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a.ip) - n(b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
}

const portOrder = (a: EndpointPort, b: EndpointPort) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? '');

/**
 * Repacks (address, port, ready) facts: per port, the addresses that serve it (not-ready wins
 * when one address is both); ports with the same address set share a subset. `port` undefined
 * stands for a headless Service without ports.
 */
function repack(entries: { address: EndpointAddress; port: EndpointPort | undefined; ready: boolean }[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const ports = new Map<string, { port: EndpointPort | undefined; ready: Map<string, boolean> }>();
  for (const { address, port, ready } of entries) {
    const ak = addressKey(address);
    if (!addresses.has(ak)) addresses.set(ak, address);
    const pk = portKey(port);
    let entry = ports.get(pk);
    if (!entry) ports.set(pk, (entry = { port, ready: new Map() }));
    entry.ready.set(ak, (entry.ready.get(ak) ?? true) && ready);
  }
  const subsets = new Map<string, { ready: string[]; notReady: string[]; ports: EndpointPort[] }>();
  for (const { port, ready } of ports.values()) {
    const keys = [...ready.keys()].sort();
    const setKey = JSON.stringify(keys.map((k) => [k, ready.get(k)]));
    let subset = subsets.get(setKey);
    if (!subset) subsets.set(setKey, (subset = { ready: keys.filter((k) => ready.get(k)), notReady: keys.filter((k) => !ready.get(k)), ports: [] }));
    if (port) subset.ports.push(port);
  }
  const result = [...subsets.values()].map(({ ready, notReady, ports: subsetPorts }) => {
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready.map((k) => addresses.get(k)!).sort(ipOrder);
    if (notReady.length) subset.notReadyAddresses = notReady.map((k) => addresses.get(k)!).sort(ipOrder);
    if (subsetPorts.length) subset.ports = subsetPorts.sort(portOrder);
    return subset;
  });
  const first = (s: EndpointSubset) => JSON.stringify([s.ports?.[0] ? portKey(s.ports[0]) : '', (s.addresses ?? s.notReadyAddresses)?.[0]?.ip ?? '']);
  return result.sort((a, b) => first(a).localeCompare(first(b)));
}

/** The subsets of a Service's Endpoints for the pods it selects. */
export function endpointSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const servicePorts = svc.spec?.ports ?? [];
  const entries: { address: EndpointAddress; port: EndpointPort | undefined; ready: boolean }[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podAddress(pod, svc);
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    if (servicePorts.length === 0) {
      // Only a headless Service may have no ports; its addresses are listed without any.
      if (svc.spec?.clusterIP === 'None') entries.push({ address, port: undefined, ready });
      continue;
    }
    for (const port of endpointPorts(svc, pod)) entries.push({ address, port: { ...port, port: port.port! }, ready });
  }
  return repack(entries);
}

/**
 * Cuts subsets to `max` addresses as upstream does: when ready addresses alone exceed it, the not
 * ready ones all go and each subset keeps its share of ready ones; otherwise only not-ready
 * addresses are cut, each subset in proportion. Returns the subsets and whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS_ADDRESSES): { subsets: EndpointSubset[]; truncated: boolean } {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= max) return { subsets, truncated: false };
  const cutReady = ready > max;
  const budget = cutReady ? max : max - ready;
  const total = cutReady ? ready : notReady;
  let left = budget;
  const out = subsets.map((s) => {
    const list = (cutReady ? s.addresses : s.notReadyAddresses) ?? [];
    const take = Math.min(Math.ceil((list.length / total) * budget), left);
    left -= take;
    const next: EndpointSubset = { ...s };
    if (cutReady) {
      next.addresses = list.slice(0, take);
      delete next.notReadyAddresses;
    } else {
      next.notReadyAddresses = list.slice(0, take);
    }
    if (!next.addresses?.length) delete next.addresses;
    if (!next.notReadyAddresses?.length) delete next.notReadyAddresses;
    return next;
  });
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}
