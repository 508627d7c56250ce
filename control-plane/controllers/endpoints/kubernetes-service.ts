/**
 * The `default/kubernetes` Service and its endpoints, as upstream's API servers keep them: the
 * Service (ClusterIP = first address of the service CIDR, port `https` 443 → the API port, labels
 * component=apiserver, provider=kubernetes, no selector), and Endpoints plus one EndpointSlice named
 * `kubernetes` listing every live API server. Each server announces itself with a Lease in
 * kube-system (upstream's lease endpoint reconciler keeps the same records in etcd with a TTL): an
 * address is live while its Lease is renewed. Pure.
 */
import type { Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { LABEL_SERVICE_NAME, LABEL_SKIP_MIRROR } from './slice-endpoints.js';

export const KUBERNETES_SERVICE = 'kubernetes';
export const KUBERNETES_NAMESPACE = 'default';
/** The first address of the default service CIDR 10.96.0.0/12. */
export const DEFAULT_API_SERVICE_IP = '10.96.0.1';
export const LEASE_NAMESPACE = 'kube-system';
/** Label on the Leases API servers announce their address with. */
export const API_ENDPOINT_LEASE_LABEL = 'tugboat.dev/apiserver-endpoint';

const SERVICE_PORT_NAME = 'https';
const SERVICE_PORT = 443;

function servicePorts(apiPort: number): ServicePort[] {
  return [{ name: SERVICE_PORT_NAME, port: SERVICE_PORT, protocol: 'TCP', targetPort: apiPort }];
}

/** The Service to create when there is none. */
export function kubernetesService(serviceIP: string, apiPort: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_NAMESPACE, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: serviceIP,
      ports: servicePorts(apiPort),
      sessionAffinity: 'None',
      ipFamilyPolicy: 'SingleStack',
    },
  };
}

/** The Service with its ports and type put back, or undefined when they are as they should be. */
export function kubernetesServiceReset(current: Service, apiPort: number): Service | undefined {
  const want = servicePorts(apiPort)[0]!;
  const ports = current.spec?.ports ?? [];
  const p = ports[0];
  const portsOk = ports.length === 1 && p?.name === want.name && p.port === want.port && (p.protocol ?? 'TCP') === 'TCP' && p.targetPort === want.targetPort;
  const typeOk = current.spec?.type === 'ClusterIP';
  if (portsOk && typeOk) return undefined;
  return { ...current, spec: { ...current.spec, type: 'ClusterIP', ports: servicePorts(apiPort) } };
}

/** The name of the Lease an API server at `address` announces itself with. */
export function endpointLeaseName(address: string): string {
  return `apiserver-endpoint-${address.replace(/:/g, '-')}`;
}

/** The addresses of unexpired Leases, sorted and unique. */
export function liveAddresses(leases: Lease[], now: number): string[] {
  const live = leases.filter((l) => !leaseExpired(l, now)).map((l) => l.spec?.holderIdentity ?? '');
  return [...new Set(live.filter(Boolean))].sort();
}

/** A Lease not renewed within its duration. */
export function leaseExpired(lease: Lease, now: number): boolean {
  const renewed = Date.parse(lease.spec?.renewTime ?? '');
  return Number.isNaN(renewed) || renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 < now;
}

function endpointPort(apiPort: number) {
  return { name: SERVICE_PORT_NAME, port: apiPort, protocol: 'TCP' };
}

/** The `kubernetes` Endpoints for these API server addresses (kept: the current object's metadata). */
export function kubernetesEndpoints(addresses: string[], apiPort: number, current?: Endpoints): Endpoints {
  const metadata = current?.metadata ?? { name: KUBERNETES_SERVICE, namespace: KUBERNETES_NAMESPACE };
  const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { ...metadata, labels: { ...metadata.labels, [LABEL_SKIP_MIRROR]: 'true' } } };
  if (addresses.length > 0) ep.subsets = [{ addresses: addresses.map((ip) => ({ ip })), ports: [endpointPort(apiPort)] }];
  return ep;
}

/** The `kubernetes` EndpointSlice for these API server addresses (kept: the current object's metadata). */
export function kubernetesSlice(addresses: string[], apiPort: number, current?: EndpointSlice): EndpointSlice {
  const metadata = current?.metadata ?? { name: KUBERNETES_SERVICE, namespace: KUBERNETES_NAMESPACE };
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...metadata, labels: { ...metadata.labels, [LABEL_SERVICE_NAME]: KUBERNETES_SERVICE } },
    addressType: 'IPv4',
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [endpointPort(apiPort)],
  };
}
