import { describe, expect, it } from 'vitest';
import { staleUdpFlows } from './conntrack.js';
import { buildServicePorts } from './model.js';
import { testService, testSlice, type EndpointSpec } from './testing/fixtures.js';

const dns = (extra: Record<string, unknown> = {}) => testService('kube-system', 'dns', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }], extra);
const web = testService('ns', 'web', '10.96.0.20', [{ name: 'http', port: 80 }]);
const slice = (...eps: EndpointSpec[]) => testSlice('kube-system', 'dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }], eps);
const webSlice = (...eps: EndpointSpec[]) => testSlice('ns', 'web', [{ name: 'http', port: 8080 }], eps);
const ports = (services = [dns()], slices = [slice({ ip: '10.244.1.2' }, { ip: '10.244.2.3' })]) => buildServicePorts(services, slices, { nodeName: 'node-a' });

const byIP = (ip: string, extra: string[] = []) => ['-p', 'udp', '--orig-dst', ip, '--dport', '53', ...extra];

describe('staleUdpFlows', () => {
  it.each([
    ['nothing changed', ports(), ports(), []],
    ['an endpoint was added', ports(), ports(undefined, [slice({ ip: '10.244.1.2' }, { ip: '10.244.2.3' }, { ip: '10.244.3.4' })]), []],
    ['an endpoint was removed: its DNATed flows', ports(), ports(undefined, [slice({ ip: '10.244.1.2' })]), [byIP('10.96.0.10', ['--dst-nat', '10.244.2.3'])]],
    ['an endpoint became unready', ports(), ports(undefined, [slice({ ip: '10.244.1.2' }, { ip: '10.244.2.3', ready: false })]), [byIP('10.96.0.10', ['--dst-nat', '10.244.2.3'])]],
    ['endpoints appeared after none: the rejected flows', ports(undefined, []), ports(), [byIP('10.96.0.10')]],
    ['the service is gone: its flows', ports(), ports([], []), [byIP('10.96.0.10')]],
    ['TCP changes need nothing', ports([web], [webSlice({ ip: '10.244.1.2' })]), ports([web], []), []],
  ])('%s', (_name, prev, next, want) => {
    expect(staleUdpFlows(prev, next)).toEqual(want);
  });

  it('covers external IPs, load-balancer IPs and the NodePort', () => {
    const lb = dns({ type: 'LoadBalancer', externalIPs: ['203.0.113.7'] });
    lb.status = { loadBalancer: { ingress: [{ ip: '192.168.200.9' }] } };
    const prev = ports([lb]);
    const next = ports([lb], [slice({ ip: '10.244.1.2' })]);
    const nat = ['--dst-nat', '10.244.2.3'];
    expect(staleUdpFlows(prev, next)).toEqual([byIP('10.96.0.10', nat), byIP('203.0.113.7', nat), byIP('192.168.200.9', nat), ['-p', 'udp', '--dport', '30053', ...nat]]);
  });
});
