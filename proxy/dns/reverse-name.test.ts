import { describe, expect, it } from 'vitest';
import { addressFromReverseName } from './reverse-name.js';

describe('addressFromReverseName', () => {
  it.each([
    ['10.0.96.10.in-addr.arpa', '10.96.0.10'],
    ['10.0.96.10.IN-ADDR.ARPA.', '10.96.0.10'],
    [`a.0.0.0.${'0.'.repeat(24)}0.0.d.f.ip6.arpa`, 'fd00::a'],
    ['0.96.10.in-addr.arpa', undefined],
    ['1.300.96.10.in-addr.arpa', undefined],
    ['01.0.96.10.in-addr.arpa', undefined],
    ['1.0.ip6.arpa', undefined],
    ['web.default.svc.cluster.local', undefined],
  ])('%s → %s', (name, ip) => {
    expect(addressFromReverseName(name)).toBe(ip);
  });
});
