import { describe, expect, it } from 'vitest';
import { formatCIDR, formatIP } from '../ip.js';
import { ErrorCode, type NetConf } from '../types.js';
import { parseIpamConfig } from './config.js';

const conf = (ipam: Record<string, unknown> | undefined): NetConf => ({ cniVersion: '1.0.0', name: 'net1', type: 'x', ...(ipam ? { ipam: { type: 'tug-host-local', ...ipam } } : {}) });

describe('parseIpamConfig', () => {
  it('fills defaults: usable addresses, gateway .1, data dir per network', () => {
    const c = parseIpamConfig(conf({ ranges: [[{ subnet: '10.9.0.0/24' }]] }));
    const [r] = c.rangeSets[0]!;
    expect([formatCIDR(r!.subnet), formatIP(r!.start), formatIP(r!.end), formatIP(r!.gateway)]).toEqual(['10.9.0.0/24', '10.9.0.1', '10.9.0.254', '10.9.0.1']);
    expect(c.dir).toBe('/var/lib/cni/networks/net1');
    expect(c.routes).toEqual([]);
  });

  it('puts the legacy subnet first, keeps explicit bounds, routes and dataDir', () => {
    const c = parseIpamConfig(
      conf({
        subnet: '10.8.0.0/16',
        rangeStart: '10.8.1.10',
        rangeEnd: '10.8.1.20',
        gateway: '10.8.0.254',
        ranges: [[{ subnet: 'fd00::/120' }]],
        routes: [{ dst: '0.0.0.0/0' }, { dst: '10.0.0.0/8', gw: '10.8.0.2' }],
        dataDir: '/tmp/x',
      }),
    );
    const legacy = c.rangeSets[0]![0]!;
    expect([formatIP(legacy.start), formatIP(legacy.end), formatIP(legacy.gateway)]).toEqual(['10.8.1.10', '10.8.1.20', '10.8.0.254']);
    const v6 = c.rangeSets[1]![0]!;
    expect([formatIP(v6.start), formatIP(v6.end)]).toEqual(['fd00::1', 'fd00::ff']);
    expect(c.routes).toEqual([{ dst: '0.0.0.0/0' }, { dst: '10.0.0.0/8', gw: '10.8.0.2' }]);
    expect(c.dir).toBe('/tmp/x/net1');
  });

  it.each([
    ['no ipam', undefined],
    ['no ranges', {}],
    ['ranges not a list', { ranges: {} }],
    ['empty range set', { ranges: [[]] }],
    ['bad subnet', { ranges: [[{ subnet: '10.0.0.0' }]] }],
    ['host bits set', { ranges: [[{ subnet: '10.0.0.5/24' }]] }],
    ['subnet too small', { ranges: [[{ subnet: '10.0.0.0/31' }]] }],
    ['start outside subnet', { ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.1.1' }]] }],
    ['start is the network address', { ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.0' }]] }],
    ['end is the broadcast address', { ranges: [[{ subnet: '10.0.0.0/24', rangeEnd: '10.0.0.255' }]] }],
    ['start after end', { ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.9', rangeEnd: '10.0.0.5' }]] }],
    ['gateway outside subnet', { ranges: [[{ subnet: '10.0.0.0/24', gateway: '10.0.1.1' }]] }],
    ['gateway not an IP', { ranges: [[{ subnet: '10.0.0.0/24', gateway: 'router' }]] }],
    ['mixed families in a set', { ranges: [[{ subnet: '10.0.0.0/24' }, { subnet: 'fd00::/64' }]] }],
    ['overlapping ranges', { ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.0/25' }]] }],
    ['bad route', { ranges: [[{ subnet: '10.0.0.0/24' }]], routes: [{ dst: 'default' }] }],
    ['bad route gateway', { ranges: [[{ subnet: '10.0.0.0/24' }]], routes: [{ dst: '0.0.0.0/0', gw: 'x' }] }],
    ['relative dataDir', { ranges: [[{ subnet: '10.0.0.0/24' }]], dataDir: 'rel' }],
  ])('%s → InvalidConfig', (_name, ipam) => {
    expect(() => parseIpamConfig(conf(ipam))).toThrow(expect.objectContaining({ code: ErrorCode.InvalidConfig }));
  });
});
