import { describe, expect, it } from 'vitest';
import { endpointSliceTable, endpointsTable, ingressClassTable, ingressTable, networkPolicyTable, serviceTable } from './network.js';

const now = new Date('2024-05-01T12:00:00Z');
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T08:00:00Z' };

describe('serviceTable', () => {
  it('has upstream columns', () => {
    expect(serviceTable.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Type', 0],
      ['Cluster-IP', 0],
      ['External-IP', 0],
      ['Port(s)', 0],
      ['Age', 0],
      ['Selector', 1],
    ]);
  });

  it.each([
    [
      'cluster IP',
      { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } },
      {},
      ['ClusterIP', '10.96.0.10', '<none>', '80/TCP', 'app=web'],
    ],
    [
      'node port with two ports',
      {
        type: 'NodePort',
        clusterIPs: ['10.96.1.1'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, nodePort: 30053, protocol: 'UDP' },
        ],
      },
      {},
      ['NodePort', '10.96.1.1', '<none>', '80:30080/TCP,53:30053/UDP', '<none>'],
    ],
    ['headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }, {}, ['ClusterIP', 'None', '<none>', '<none>', '<none>']],
    ['external IPs', { type: 'ClusterIP', clusterIPs: ['10.96.0.2'], externalIPs: ['1.2.3.4', '5.6.7.8'] }, {}, ['ClusterIP', '10.96.0.2', '1.2.3.4,5.6.7.8', '<none>', '<none>']],
    ['pending load balancer', { type: 'LoadBalancer', clusterIPs: ['10.96.0.3'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }, {}, ['LoadBalancer', '10.96.0.3', '<pending>', '443:31443/TCP', '<none>']],
    [
      'load balancer with ingress, sorted and never truncated',
      { type: 'LoadBalancer', clusterIPs: ['10.96.0.3'] },
      { loadBalancer: { ingress: [{ ip: '203.0.113.200' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.100' }] } },
      ['LoadBalancer', '10.96.0.3', '203.0.113.100,203.0.113.200,lb.example.com', '<none>', '<none>'],
    ],
    [
      'load balancer with ingress and external IPs',
      { type: 'LoadBalancer', clusterIPs: ['10.96.0.3'], externalIPs: ['9.9.9.9'] },
      { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } },
      ['LoadBalancer', '10.96.0.3', '1.1.1.1,9.9.9.9', '<none>', '<none>'],
    ],
    ['external name', { type: 'ExternalName', externalName: 'db.example.com' }, {}, ['ExternalName', '<none>', 'db.example.com', '<none>', '<none>']],
  ])('%s', (_n, spec, status, [type, clusterIP, externalIP, ports, selector]) => {
    expect(serviceTable.row({ metadata: meta, spec, status }, now)).toEqual(['web', type, clusterIP, externalIP, ports, '4h', selector]);
  });
});

describe('endpointsTable', () => {
  it.each([
    [undefined, '<none>'],
    [[{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }], '10.0.0.1:80'],
    [[{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }], '[fd00::1]:80'],
    [[{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }], '10.0.0.1,10.0.0.2'],
    [[{ addresses: [] }], ''],
    [
      [
        { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
        { addresses: [{ ip: '10.0.0.3' }], ports: [{ port: 80 }] },
      ],
      '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...',
    ],
  ])('%j prints as %s', (subsets, want) => {
    expect(endpointsTable.row({ metadata: meta, subsets }, now)).toEqual(['web', want, '4h']);
  });
});

describe('endpointSliceTable', () => {
  it('prints address type, ports and endpoints', () => {
    const slice = {
      metadata: meta,
      addressType: 'IPv4',
      ports: [{ port: 80 }, { name: 'http' }, {}, { port: 8080 }],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }],
    };
    expect(endpointSliceTable.row(slice, now)).toEqual(['web', 'IPv4', '80,http,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3', '4h']);
    expect(endpointSliceTable.row({ metadata: meta, addressType: 'IPv4' }, now)).toEqual(['web', 'IPv4', '<unset>', '<unset>', '4h']);
  });
});

describe('ingressTable', () => {
  it.each([
    [{ rules: [{ host: 'a.example.com' }, {}] }, {}, '<none>', 'a.example.com', '', '80'],
    [{ ingressClassName: 'nginx', rules: [{}], tls: [{ hosts: ['a'] }] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }, 'nginx', '*', '1.2.3.4', '80, 443'],
    [{ rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] }, {}, '<none>', 'a,b,c + 2 more...', '', '80'],
  ])('%j', (spec, status, cls, hosts, address, ports) => {
    expect(ingressTable.row({ metadata: meta, spec, status }, now)).toEqual(['web', cls, hosts, address, ports, '4h']);
  });
});

describe('ingressClassTable and networkPolicyTable', () => {
  it('prints controller and parameters', () => {
    expect(ingressClassTable.row({ metadata: meta, spec: { controller: 'k8s.io/ingress-nginx' } }, now)).toEqual(['web', 'k8s.io/ingress-nginx', '<none>', '4h']);
    const withParams = { metadata: meta, spec: { controller: 'c', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } };
    expect(ingressClassTable.row(withParams, now)[2]).toBe('IngressParameters.k8s.example.com/p');
  });

  it('prints the pod selector', () => {
    expect(networkPolicyTable.row({ metadata: meta, spec: { podSelector: {} } }, now)).toEqual(['web', '<none>', '4h']);
    expect(networkPolicyTable.row({ metadata: meta, spec: { podSelector: { matchLabels: { role: 'db' } } } }, now)).toEqual(['web', 'role=db', '4h']);
  });
});
