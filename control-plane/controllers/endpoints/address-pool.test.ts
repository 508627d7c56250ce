import { describe, expect, it } from 'vitest';
import { AddressPool } from './address-pool.js';

describe('AddressPool', () => {
  it.each([
    { text: '172.30.255.200-172.30.255.202', inside: ['172.30.255.200', '172.30.255.202'], outside: ['172.30.255.199', '172.30.255.203'], first: '172.30.255.200' },
    { text: '10.1.0.0/30', inside: ['10.1.0.1', '10.1.0.2'], outside: ['10.1.0.0', '10.1.0.3'], first: '10.1.0.1' },
    { text: '10.1.0.7/32', inside: ['10.1.0.7'], outside: ['10.1.0.6', '10.1.0.8'], first: '10.1.0.7' },
    { text: '10.1.0.8/31, 192.168.5.5-192.168.5.5', inside: ['10.1.0.8', '10.1.0.9', '192.168.5.5'], outside: ['10.1.0.10', '192.168.5.6'], first: '10.1.0.8' },
  ])('$text', ({ text, inside, outside, first }) => {
    const pool = AddressPool.parse(text);
    for (const ip of inside) expect(pool.contains(ip), ip).toBe(true);
    for (const ip of outside) expect(pool.contains(ip), ip).toBe(false);
    expect(pool.firstFree(new Set())).toBe(first);
  });

  it('firstFree skips taken addresses and runs out', () => {
    const pool = AddressPool.parse('10.0.0.1-10.0.0.2,10.0.1.5-10.0.1.5');
    expect(pool.firstFree(new Set(['10.0.0.1']))).toBe('10.0.0.2');
    expect(pool.firstFree(new Set(['10.0.0.1', '10.0.0.2']))).toBe('10.0.1.5');
    expect(pool.firstFree(new Set(['10.0.0.1', '10.0.0.2', '10.0.1.5']))).toBeUndefined();
  });

  it.each(['', '10.0.0.300/24', '10.0.0.5-10.0.0.1', 'fd00::/64', '10.0.0.0/24,', 'pool'])('rejects %j', (text) => {
    expect(() => AddressPool.parse(text)).toThrow(/invalid load balancer address pool entry/);
  });
});
