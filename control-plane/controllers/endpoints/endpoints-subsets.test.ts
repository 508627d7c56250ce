import { describe, expect, it } from 'vitest';
import type { EndpointSubset } from 'kubernetes-types/core/v1.js';
import { endpointSubsets, truncateSubsets } from './endpoints-subsets.js';
import { pod, service } from './fixtures.test-util.js';

const addr = (name: string, ip: string, nodeName = 'node-a') => ({ ip, nodeName, targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` } });
const http = { name: 'http', port: 8080, protocol: 'TCP' };

describe('endpointSubsets', () => {
  it('ready pods under addresses, not-ready under notReadyAddresses, sorted by IP; terminating and IP-less pods left out', () => {
    const pods = [
      pod('b', { ip: '10.244.1.20' }),
      pod('a', { ip: '10.244.1.3' }),
      pod('c', { ip: '10.244.1.4', ready: false }),
      pod('d', { ip: '10.244.1.5', deleting: true }),
      pod('e', { ip: null }),
      pod('f', { ip: '10.244.1.6', phase: 'Succeeded' }),
    ];
    expect(endpointSubsets(service('web'), pods)).toEqual([{ addresses: [addr('a', '10.244.1.3'), addr('b', '10.244.1.20')], notReadyAddresses: [addr('c', '10.244.1.4')], ports: [http] }]);
  });

  it('publishNotReadyAddresses lists every pod, terminating ones too, as ready', () => {
    const pods = [pod('a', { ip: '10.244.1.3', ready: false }), pod('b', { ip: '10.244.1.4', deleting: true })];
    expect(endpointSubsets(service('web', { publishNotReadyAddresses: true }), pods)).toEqual([{ addresses: [addr('a', '10.244.1.3'), addr('b', '10.244.1.4')], ports: [http] }]);
  });

  it('ports shared by the same pods share a subset; a named port resolving differently splits them', () => {
    const svc = service('web', {
      ports: [
        { name: 'web', port: 80, protocol: 'TCP', targetPort: 'web' },
        { name: 'admin', port: 81, protocol: 'TCP', targetPort: 9000 },
      ],
    });
    const pods = [pod('a', { ip: '10.244.1.3', ports: [{ name: 'web', containerPort: 8080 }] }), pod('b', { ip: '10.244.1.4', ports: [{ name: 'web', containerPort: 8181 }] })];
    expect(endpointSubsets(svc, pods)).toEqual<EndpointSubset[]>([
      { addresses: [addr('a', '10.244.1.3'), addr('b', '10.244.1.4')], ports: [{ name: 'admin', port: 9000, protocol: 'TCP' }] },
      { addresses: [addr('a', '10.244.1.3')], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
      { addresses: [addr('b', '10.244.1.4')], ports: [{ name: 'web', port: 8181, protocol: 'TCP' }] },
    ]);
  });

  it('a headless Service without ports lists addresses without ports, with hostnames of its subdomain', () => {
    const svc = service('db', { clusterIP: 'None', ports: [] });
    const pods = [pod('db-0', { ip: '10.244.1.3', hostname: 'db-0', subdomain: 'db' })];
    expect(endpointSubsets(svc, pods)).toEqual([{ addresses: [{ ...addr('db-0', '10.244.1.3'), hostname: 'db-0' }] }]);
  });

  it('no pods: no subsets', () => {
    expect(endpointSubsets(service('web'), [])).toEqual([]);
  });
});

describe('truncateSubsets', () => {
  const ips = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ ip: `10.0.${Math.floor((i + from) / 250)}.${((i + from) % 250) + 1}` }));
  const count = (subsets: EndpointSubset[]) => subsets.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]);

  it.each([
    { name: 'under the cap: untouched', subsets: [{ addresses: ips(3), notReadyAddresses: ips(2, 10) }], max: 5, want: [[3, 2]], truncated: false },
    { name: 'only not-ready cut, in proportion', subsets: [{ addresses: ips(2), notReadyAddresses: ips(4, 10) }, { addresses: ips(2, 20), notReadyAddresses: ips(4, 30) }], max: 8, want: [[2, 2], [2, 2]], truncated: true },
    { name: 'ready over the cap: not-ready all go, ready in proportion', subsets: [{ addresses: ips(6), notReadyAddresses: ips(2, 10) }, { addresses: ips(3, 20) }], max: 6, want: [[4, 0], [2, 0]], truncated: true },
  ])('$name', ({ subsets, max, want, truncated }) => {
    const out = truncateSubsets(subsets, max);
    expect(out.truncated).toBe(truncated);
    expect(count(out.subsets)).toEqual(want);
  });
});
