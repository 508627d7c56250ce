import { describe, expect, it } from 'vitest';
import { contains, formatCIDR, formatIP, lastAddress, networkAddress, parseCIDR, parseIP } from './ip.js';

describe('parseIP / formatIP', () => {
  it.each([
    ['10.0.0.1', 4, '10.0.0.1'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['::1', 6, '::1'],
    ['2001:DB8:0:0:0:0:0:1', 6, '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'],
    ['fe80::', 6, 'fe80::'],
    ['::ffff:10.1.2.3', 6, '::ffff:a01:203'],
    ['1:2:3:4:5:6:7:8', 6, '1:2:3:4:5:6:7:8'],
  ])('%s', (text, family, canonical) => {
    const ip = parseIP(text)!;
    expect(ip.family).toBe(family);
    expect(formatIP(ip)).toBe(canonical);
  });

  it.each(['', '10.0.0', '10.0.0.256', 'fe80::1%eth0', '1::2::3', 'x'])('rejects %j', (text) => {
    expect(parseIP(text)).toBeUndefined();
  });
});

describe('CIDR arithmetic', () => {
  it.each([
    ['10.1.2.3/24', '10.1.2.0', '10.1.2.255'],
    ['10.1.2.3/32', '10.1.2.3', '10.1.2.3'],
    ['10.0.0.0/8', '10.0.0.0', '10.255.255.255'],
    ['2001:db8::5/64', '2001:db8::', '2001:db8::ffff:ffff:ffff:ffff'],
  ])('%s spans %s..%s', (text, first, last) => {
    const c = parseCIDR(text)!;
    expect(formatIP(networkAddress(c))).toBe(first);
    expect(formatIP(lastAddress(c))).toBe(last);
    expect(formatCIDR(c)).toBe(text);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/x', '::/129', 'nonsense/8'])('rejects %j', (text) => {
    expect(parseCIDR(text)).toBeUndefined();
  });

  it('contains checks family and prefix', () => {
    const c = parseCIDR('10.1.0.0/16')!;
    expect(contains(c, parseIP('10.1.255.3')!)).toBe(true);
    expect(contains(c, parseIP('10.2.0.1')!)).toBe(false);
    expect(contains(c, parseIP('::a01:1')!)).toBe(false);
  });
});
