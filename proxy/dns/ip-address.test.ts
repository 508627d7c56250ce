import { describe, expect, it } from 'vitest';
import { canonicalIP, formatIPv6, ipv4Bytes, ipv6Bytes } from './ip-address.js';

describe('IPv6 text ↔ bytes', () => {
  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['FD00:0:0:0:0:0:0:A', 'fd00::a'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['fe80::', 'fe80::'],
  ])('%s → %s', (text, canonical) => {
    expect(formatIPv6(ipv6Bytes(text))).toBe(canonical);
    expect(canonicalIP(text)).toBe(canonical);
  });

  it('reads IPv4 bytes and refuses what is not an address', () => {
    expect([...ipv4Bytes('10.96.0.1')]).toEqual([10, 96, 0, 1]);
    for (const bad of ['10.96.0', '10.96.0.256', '10.96.0.01', '10.96.0.1e1', '10.96..1', ' 10.96.0.1']) expect(() => ipv4Bytes(bad)).toThrow(/not an IPv4/);
    expect(() => ipv6Bytes('10.96.0.1')).toThrow();
    expect(canonicalIP('10.96.0.1')).toBe('10.96.0.1');
    expect(canonicalIP('web')).toBeUndefined();
  });
});
