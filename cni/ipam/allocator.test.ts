import { describe, expect, it } from 'vitest';
import { formatIP, parseIP } from '../ip.js';
import type { NetConf } from '../types.js';
import { findOwned, pickFree, type Owner } from './allocator.js';
import { parseIpamConfig, type RangeSet } from './config.js';

function rangeSet(ranges: object[]): RangeSet {
  const conf: NetConf = { cniVersion: '1.0.0', name: 'n', type: 'x', ipam: { type: 'h', ranges: [ranges] } };
  return parseIpamConfig(conf).rangeSets[0]!;
}

const someone: Owner = { containerId: 'other', ifName: 'eth0' };
const taken = (...ips: string[]) => new Map(ips.map((ip) => [ip, someone]));

describe('pickFree', () => {
  it.each([
    ['first address after the gateway', [{ subnet: '10.0.0.0/29' }], [], undefined, '10.0.0.2'],
    ['round robin after the last reservation', [{ subnet: '10.0.0.0/29' }], [], '10.0.0.3', '10.0.0.4'],
    ['skips reserved addresses', [{ subnet: '10.0.0.0/29' }], ['10.0.0.4', '10.0.0.5'], '10.0.0.3', '10.0.0.6'],
    ['wraps around, skipping the gateway', [{ subnet: '10.0.0.0/29' }], ['10.0.0.3'], '10.0.0.6', '10.0.0.2'],
    ['released addresses are used again', [{ subnet: '10.0.0.0/29' }], ['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'], '10.0.0.6', '10.0.0.2'],
    ['explicit range bounds', [{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.100', rangeEnd: '10.0.0.101' }], [], undefined, '10.0.0.100'],
    ['continues into the next range', [{ subnet: '10.0.0.0/30' }, { subnet: '10.0.1.0/30' }], [], '10.0.0.2', '10.0.1.2'],
    ['last reservation outside the set starts over', [{ subnet: '10.0.0.0/29' }], [], '192.168.0.1', '10.0.0.2'],
    ['a gateway given elsewhere frees .1', [{ subnet: '10.0.0.0/29', gateway: '10.0.0.6' }], [], undefined, '10.0.0.1'],
    ['IPv6', [{ subnet: 'fd00::/126' }], ['fd00::2'], undefined, 'fd00::3'],
  ])('%s', (_name, ranges, reserved, last, want) => {
    const pick = pickFree(rangeSet(ranges), taken(...reserved), last ? parseIP(last) : undefined);
    expect(pick && formatIP(pick.ip)).toBe(want);
  });

  it.each([
    ['every address reserved', [{ subnet: '10.0.0.0/29' }], ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']],
    ['only the gateway left', [{ subnet: '10.0.0.0/30' }], ['10.0.0.2']],
  ])('exhausted: %s', (_name, ranges, reserved) => {
    expect(pickFree(rangeSet(ranges), taken(...reserved), undefined)).toBeUndefined();
  });
});

describe('findOwned', () => {
  it('finds the address (container id, ifname) holds in the set', () => {
    const set = rangeSet([{ subnet: '10.0.0.0/24' }]);
    const reserved = new Map<string, Owner>([
      ['10.0.0.7', { containerId: 'c1', ifName: 'eth0' }],
      ['10.0.0.8', { containerId: 'c1', ifName: 'net1' }],
      ['10.9.0.9', { containerId: 'c2', ifName: 'eth0' }],
    ]);
    expect(formatIP(findOwned(set, reserved, { containerId: 'c1', ifName: 'net1' })!.ip)).toBe('10.0.0.8');
    expect(findOwned(set, reserved, { containerId: 'c2', ifName: 'eth0' })).toBeUndefined();
    expect(findOwned(set, reserved, { containerId: 'c3', ifName: 'eth0' })).toBeUndefined();
  });
});
