import { describe, expect, it } from 'vitest';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { endpointLeaseName, kubernetesEndpoints, kubernetesService, kubernetesServiceReset, kubernetesSlice, liveAddresses } from './kubernetes-service.js';

const lease = (address: string, renewedAgoS: number, durationS = 15): Lease => ({
  metadata: { name: endpointLeaseName(address) },
  spec: { holderIdentity: address, leaseDurationSeconds: durationS, renewTime: new Date(NOW - renewedAgoS * 1000).toISOString() },
});
const NOW = Date.UTC(2026, 0, 1, 12);

describe('the kubernetes Service', () => {
  it('is a ClusterIP Service on the reserved address, https 443 to the API port, no selector', () => {
    expect(kubernetesService('10.96.0.1', 6443)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', ipFamilyPolicy: 'SingleStack' },
    });
  });

  it.each([
    { name: 'as created', spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] }, reset: false },
    { name: 'another target port', spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 7443 }] }, reset: true },
    { name: 'an extra port', spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }, { name: 'x', port: 1, protocol: 'TCP', targetPort: 1 }] }, reset: true },
    { name: 'type NodePort', spec: { type: 'NodePort', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] }, reset: true },
  ])('reset when changed: $name', ({ spec, reset }) => {
    const current = { metadata: { name: 'kubernetes', resourceVersion: '5' }, spec: { ...spec, clusterIP: '10.96.0.1' } };
    const out = kubernetesServiceReset(current, 6443);
    if (!reset) return expect(out).toBeUndefined();
    expect(out).toEqual({ metadata: current.metadata, spec: { clusterIP: '10.96.0.1', type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } });
  });
});

describe('API server leases', () => {
  it('only unexpired leases count; addresses sorted and unique', () => {
    const leases = [lease('192.0.2.20', 1), lease('192.0.2.3', 14), lease('192.0.2.9', 16), lease('192.0.2.20', 2), { metadata: { name: 'x' }, spec: {} }];
    expect(liveAddresses(leases, NOW)).toEqual(['192.0.2.20', '192.0.2.3']);
  });
});

describe('the kubernetes endpoints', () => {
  it('Endpoints: one subset of the addresses on the API port, not mirrored; none when no server lives', () => {
    expect(kubernetesEndpoints(['192.0.2.3', '192.0.2.4'], 6443)).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '192.0.2.3' }, { ip: '192.0.2.4' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    });
    expect(kubernetesEndpoints([], 6443).subsets).toBeUndefined();
  });

  it('EndpointSlice `kubernetes`: ready endpoints, keeps the stored metadata', () => {
    const current = { metadata: { name: 'kubernetes', namespace: 'default', resourceVersion: '9', labels: { 'kubernetes.io/service-name': 'kubernetes' } }, addressType: 'IPv4', endpoints: [] };
    expect(kubernetesSlice(['192.0.2.3'], 6443, current)).toEqual({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: current.metadata,
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.0.2.3'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    });
  });
});
