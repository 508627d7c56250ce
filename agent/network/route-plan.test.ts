import { describe, expect, it } from 'vitest';
import type { PeerRoute } from './peer-routes.js';
import { planRoutes, ROUTE_PROTO, type HostRoutes, type RouteEntry } from './route-plan.js';

// A host on 192.168.1.0/24 (eth0) with a default route via 192.168.1.1, a second network
// 172.20.0.0/16 behind 192.168.1.254, and its pod bridge 10.244.1.0/24; as `ip -N -j` prints it.
const base: RouteEntry[] = [
  { dst: 'default', gateway: '192.168.1.1', dev: 'eth0', protocol: '3', scope: '0' },
  { dst: '172.20.0.0/16', gateway: '192.168.1.254', dev: 'eth0', protocol: '3', scope: '0' },
  { dst: '192.168.1.0/24', dev: 'eth0', protocol: '2', scope: '253' },
  { dst: '10.244.1.0/24', dev: 'tug0', protocol: '2', scope: '253' },
];
const local: RouteEntry[] = [
  { dst: '127.0.0.0/8', dev: 'lo', type: '2', protocol: '2', scope: '254' },
  { dst: '192.168.1.10', dev: 'eth0', type: '2', protocol: '2', scope: '254' },
];
const owned = (dst: string, gateway: string): RouteEntry => ({ dst, gateway, dev: 'eth0', protocol: ROUTE_PROTO, scope: '0' });
const peer = (n: number, via: string): PeerRoute => ({ dst: `10.244.${n}.0/24`, via, node: `node-${n}` });
const host = (...extra: RouteEntry[]): HostRoutes => ({ main: [...base, ...extra], local });
const text = (routes: PeerRoute[]) => routes.map((r) => `${r.dst} via ${r.via}`);

describe('planRoutes', () => {
  it.each<[string, PeerRoute[], HostRoutes, { add?: string[]; replace?: string[]; remove?: string[]; unchanged?: string[]; skipped?: string[] }]>([
    ['adds a route per peer on the connected network', [peer(2, '192.168.1.11'), peer(3, '192.168.1.12')], host(), { add: ['10.244.2.0/24 via 192.168.1.11', '10.244.3.0/24 via 192.168.1.12'] }],
    ['leaves owned routes that are as wanted', [peer(2, '192.168.1.11')], host(owned('10.244.2.0/24', '192.168.1.11')), { unchanged: ['10.244.2.0/24 via 192.168.1.11'] }],
    ['replaces an owned route whose node moved', [peer(2, '192.168.1.21')], host(owned('10.244.2.0/24', '192.168.1.11')), { replace: ['10.244.2.0/24 via 192.168.1.21'] }],
    ['removes owned routes no longer wanted (a restarted agent finds them)', [], host(owned('10.244.2.0/24', '192.168.1.11'), owned('10.244.9.0/24', '192.168.1.19')), { remove: ['10.244.2.0/24', '10.244.9.0/24'] }],
    ['never touches routes it does not own', [], host({ dst: '10.244.7.0/24', gateway: '192.168.1.17', dev: 'eth0', protocol: '4', scope: '0' }), {}],
    [
      'skips a peer behind a gateway (not L2-adjacent), removing its old route',
      [peer(2, '172.20.0.5'), peer(3, '8.8.8.8')],
      host(owned('10.244.2.0/24', '192.168.1.11')),
      {
        remove: ['10.244.2.0/24'],
        skipped: [
          'node-2: its InternalIP 172.20.0.5 is not on a directly connected network (reached via 192.168.1.254); host-gw needs the nodes on one L2 segment',
          'node-3: its InternalIP 8.8.8.8 is not on a directly connected network (reached via 192.168.1.1); host-gw needs the nodes on one L2 segment',
        ],
      },
    ],
    ['skips a peer with no route at all', [peer(2, '192.168.1.11')], { main: [], local }, { skipped: ['node-2: no route to its InternalIP 192.168.1.11'] }],
    ['skips a peer whose address is this host’s (agents sharing a host)', [peer(2, '127.0.0.1'), peer(3, '192.168.1.10')], host(), { skipped: ['node-2: its InternalIP 127.0.0.1 is an address of this host', 'node-3: its InternalIP 192.168.1.10 is an address of this host'] }],
    [
      'skips a destination the host already routes otherwise',
      [peer(2, '192.168.1.11')],
      host({ dst: '10.244.2.0/24', dev: 'docker1', protocol: '2', scope: '253' }),
      { skipped: ['node-2: this host already has a route to 10.244.2.0/24 (dev docker1) that host-gw does not own'] },
    ],
    ['does not count its own routes as a path to a peer', [peer(2, '10.244.3.9')], host(owned('10.244.3.0/24', '192.168.1.12')), { remove: ['10.244.3.0/24'], skipped: ['node-2: its InternalIP 10.244.3.9 is not on a directly connected network (reached via 192.168.1.1); host-gw needs the nodes on one L2 segment'] }],
    [
      'reads the route type where it is printed: unicast connects, a blackhole does not',
      [peer(2, '10.8.0.2'), peer(3, '10.7.0.3')],
      host({ dst: '10.8.0.0/24', dev: 'eth1', protocol: '2', scope: '253', type: '1' }, { dst: '10.7.0.0/24', protocol: '4', scope: '253', type: '6' }),
      { add: ['10.244.2.0/24 via 10.8.0.2'], skipped: ['node-3: its InternalIP 10.7.0.3 is not on a directly connected network (reached via 10.7.0.0/24); host-gw needs the nodes on one L2 segment'] },
    ],
    ['reads host routes printed without /32', [peer(2, '10.9.0.2')], host({ dst: '10.9.0.2', dev: 'wg0', protocol: '3', scope: '253' }), { add: ['10.244.2.0/24 via 10.9.0.2'] }],
  ])('%s', (_what, wanted, hostRoutes, expected) => {
    const plan = planRoutes(wanted, hostRoutes);
    expect({
      add: text(plan.add),
      replace: text(plan.replace),
      remove: plan.remove,
      unchanged: text(plan.unchanged),
      skipped: plan.skipped.map((s) => `${s.node}: ${s.reason}`),
    }).toEqual({ add: [], replace: [], remove: [], unchanged: [], skipped: [], ...expected });
  });
});
