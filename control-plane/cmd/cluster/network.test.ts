import { describe, expect, it } from 'vitest';
import { chooseSubnet, hostAddress, routeDestinations } from './network.js';

describe('chooseSubnet', () => {
  it.each([
    { used: [], want: '172.30.0.0/24' },
    { used: ['172.17.0.0/16', '0.0.0.0/0', 'fd00::/64', 'junk'], want: '172.30.0.0/24' },
    { used: ['172.30.0.0/24', '172.30.1.0/24'], want: '172.30.2.0/24' },
    { used: ['172.30.0.0/16'], want: '172.31.0.0/24' },
    { used: ['172.30.0.5/32'], want: '172.30.1.0/24' },
    { used: ['172.16.0.0/12', '172.31.0.0/16'], want: undefined },
  ])('$used → $want', ({ used, want }) => {
    if (want) expect(chooseSubnet(used)).toBe(want);
    else expect(() => chooseSubnet(used)).toThrow(/no free \/24/);
  });
});

describe('hostAddress', () => {
  it('counts from the network address', () => {
    expect([1, 2, 254].map((i) => hostAddress('172.30.4.0/24', i))).toEqual(['172.30.4.1', '172.30.4.2', '172.30.4.254']);
  });
  it.each([0, 255])('refuses address number %d of a /24', (i) => expect(() => hostAddress('172.30.4.0/24', i)).toThrow(/outside/));
});

describe('routeDestinations', () => {
  it('keeps routed CIDRs and single addresses, not the default route', () => {
    const out = `default via 192.0.2.1 dev eth0
172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
10.0.0.7 via 192.0.2.1 dev eth0
`;
    expect(routeDestinations(out)).toEqual(['172.17.0.0/16', '10.0.0.7/32']);
  });
});
