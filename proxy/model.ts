/**
 * What the proxy serves, distilled from Services and EndpointSlices (pure): one ServicePort per
 * port of each proxied Service with its endpoints, and the endpoint selection of kube-proxy
 * (ready endpoints; serving-and-terminating ones only when none is ready; this node's only under a
 * Local traffic policy). IPv4 only. ExternalName Services, headless ones (clusterIP None) and
 * Services without a cluster IP are not proxied.
 */
import { isIPv4 } from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];
/** The label tying an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Default stickiness of sessionAffinity ClientIP (3 hours), as upstream's defaulting. */
export const DEFAULT_AFFINITY_SECONDS = 10_800;

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** "ip:port". */
  address: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this node (the endpoint's nodeName is this node's name). */
  local: boolean;
}

export interface ServicePort {
  /** "namespace/name:port", or "namespace/name" for an unnamed port (kube-proxy's ServicePortName). */
  name: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  /** Load-balancer ingress IPs from the Service's status (VIP mode). */
  loadBalancerIPs: string[];
  /** Stickiness of sessionAffinity ClientIP in seconds; undefined without affinity. */
  affinitySeconds?: number;
  /** internalTrafficPolicy Local. */
  internalLocal: boolean;
  /** externalTrafficPolicy Local (only for externally accessible ports). */
  externalLocal: boolean;
  /** Every endpoint of the port, ready or not, each address once, sorted by IP then port. */
  endpoints: ProxyEndpoint[];
}

/** Where `nodeName` runs: decides which endpoints are local. */
export interface Locality {
  nodeName: string;
}

/** Whether traffic reaches the port from outside: a NodePort, external IPs or load-balancer IPs. */
export function externallyAccessible(sp: ServicePort): boolean {
  return sp.nodePort > 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
}

const ipKey = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** `eps` sorted by IP, then port. */
function sortEndpoints(eps: Iterable<ProxyEndpoint>): ProxyEndpoint[] {
  return [...eps]
    .map((ep) => ({ ep, key: ipKey(ep.ip) * 65_536 + ep.port }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.ep);
}

const svcKey = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;
const portKey = (name: string, protocol: string) => `${name}/${protocol}`;

/** Endpoints per Service ("ns/name") and port ("portName/PROTOCOL"), from IPv4 slices. */
function indexEndpoints(slices: EndpointSlice[], where: Locality): Map<string, Map<string, Map<string, ProxyEndpoint>>> {
  const index = new Map<string, Map<string, Map<string, ProxyEndpoint>>>();
  const sorted = [...slices].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const slice of sorted) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service || slice.addressType !== 'IPv4') continue;
    const key = svcKey(slice.metadata?.namespace, service);
    let ports = index.get(key);
    if (!ports) index.set(key, (ports = new Map()));
    for (const p of slice.ports ?? []) {
      if (!p.port || p.port < 1) continue;
      const pk = portKey(p.name ?? '', p.protocol ?? 'TCP');
      let byAddress = ports.get(pk);
      if (!byAddress) ports.set(pk, (byAddress = new Map()));
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip || !isIPv4(ip)) continue;
        const ready = ep.conditions?.ready ?? true;
        const endpoint: ProxyEndpoint = {
          ip,
          port: p.port,
          address: `${ip}:${p.port}`,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          local: ep.nodeName === where.nodeName,
        };
        const seen = byAddress.get(endpoint.address);
        // An address in several slices counts once; a ready copy wins.
        if (!seen || (!seen.ready && endpoint.ready)) byAddress.set(endpoint.address, endpoint);
      }
    }
  }
  return index;
}

/** The IPv4 cluster IP a Service is proxied at, or undefined (headless, ExternalName, IPv6 only). */
function proxiedIP(svc: Service): string | undefined {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return undefined;
  return (spec.clusterIPs ?? [spec.clusterIP ?? '']).find((ip) => isIPv4(ip));
}

/** The proxied ports of `services` with their endpoints from `slices`, sorted by name and protocol. */
export function buildServicePorts(services: Service[], slices: EndpointSlice[], where: Locality): ServicePort[] {
  const endpoints = indexEndpoints(slices, where);
  const out: ServicePort[] = [];
  for (const svc of services) {
    const clusterIP = proxiedIP(svc);
    if (!clusterIP) continue;
    const spec = svc.spec!;
    const key = svcKey(svc.metadata?.namespace, svc.metadata?.name);
    const hasNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const loadBalancerIPs =
      spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== 'Proxy').map((i) => i.ip!) : [];
    const externalIPs = (spec.externalIPs ?? []).filter((ip) => isIPv4(ip));
    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      if (!PROTOCOLS.includes(protocol)) continue;
      const sp: ServicePort = {
        name: port.name ? `${key}:${port.name}` : key,
        protocol: protocol as Protocol,
        clusterIP,
        port: port.port,
        nodePort: hasNodePorts ? (port.nodePort ?? 0) : 0,
        externalIPs: [...new Set(externalIPs)].sort(),
        loadBalancerIPs: [...new Set(loadBalancerIPs)].sort(),
        affinitySeconds: spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : undefined,
        internalLocal: spec.internalTrafficPolicy === 'Local',
        externalLocal: false,
        endpoints: sortEndpoints(endpoints.get(key)?.get(portKey(port.name ?? '', protocol))?.values() ?? []),
      };
      sp.externalLocal = spec.externalTrafficPolicy === 'Local' && externallyAccessible(sp);
      out.push(sp);
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
}

/** The endpoints a service port sends traffic to, as kube-proxy's CategorizeEndpoints. */
export interface EndpointSets {
  /** For Cluster traffic policy: ready endpoints, else serving-and-terminating ones; empty when no Cluster policy applies. */
  cluster: ProxyEndpoint[];
  /** For Local traffic policy: this node's ready endpoints, else its serving-and-terminating ones. */
  local: ProxyEndpoint[];
  /** cluster ∪ local: every endpoint that gets a SEP chain. */
  reachable: ProxyEndpoint[];
  /** Whether any usable endpoint exists anywhere in the cluster. */
  any: boolean;
}

const usable = (eps: ProxyEndpoint[], pick: (ep: ProxyEndpoint) => boolean): ProxyEndpoint[] => {
  const ready = eps.filter((ep) => pick(ep) && ep.ready);
  return ready.length > 0 ? ready : eps.filter((ep) => pick(ep) && ep.serving && ep.terminating);
};

export function categorizeEndpoints(sp: ServicePort): EndpointSets {
  const usesCluster = !sp.internalLocal || (externallyAccessible(sp) && !sp.externalLocal);
  const usesLocal = sp.internalLocal || sp.externalLocal;
  const cluster = usesCluster ? usable(sp.endpoints, () => true) : [];
  const local = usesLocal ? usable(sp.endpoints, (ep) => ep.local) : [];
  const used = new Set([...cluster, ...local]);
  const reachable = sp.endpoints.filter((ep) => used.has(ep));
  const any = cluster.length > 0 || sp.endpoints.some((ep) => ep.ready || (ep.serving && ep.terminating));
  return { cluster, local, reachable, any };
}
