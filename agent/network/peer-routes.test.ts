import type { Node } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { peerRoutes } from './peer-routes.js';

const node = (name: string, podCIDR?: string, ...addresses: [type: string, address: string][]): Node => ({
  metadata: { name },
  spec: podCIDR ? { podCIDR } : {},
  status: { addresses: addresses.map(([type, address]) => ({ type, address })) },
});
const a = node('a', '10.244.1.0/24', ['InternalIP', '192.168.1.10']);
const b = node('b', '10.244.2.0/24', ['Hostname', 'b'], ['InternalIP', 'fd00::b'], ['InternalIP', '192.168.1.11']);
const c = node('c', '10.244.3.0/24', ['InternalIP', '192.168.1.12']);

describe('peerRoutes', () => {
  it.each<[string, Node[], string[], string[]]>([
    ['every other node, by name; never its own', [c, a, b], ['10.244.2.0/24 via 192.168.1.11 (b)', '10.244.3.0/24 via 192.168.1.12 (c)'], []],
    ['a subnet written with a host part, canonical', [a, node('d', '10.244.4.7/24', ['InternalIP', '192.168.1.13'])], ['10.244.4.0/24 via 192.168.1.13 (d)'], []],
    ['nothing for a node without a podCIDR yet, silently', [a, node('new', undefined, ['InternalIP', '192.168.1.14'])], [], []],
    ['nothing when this node is alone', [a], [], []],
    ['this node not listed (yet): all others', [b, c], ['10.244.2.0/24 via 192.168.1.11 (b)', '10.244.3.0/24 via 192.168.1.12 (c)'], []],
    ['a node without an IPv4 InternalIP', [a, node('d', '10.244.4.0/24', ['ExternalIP', '1.2.3.4'], ['InternalIP', 'fd00::d'])], [], ['d: the node reports no IPv4 InternalIP']],
    ['a malformed or IPv6 podCIDR', [a, node('d', '10.244.4.0', ['InternalIP', '192.168.1.13']), node('e', 'fd00:1::/64', ['InternalIP', '192.168.1.14'])], [], ['d: podCIDR "10.244.4.0" is not an IPv4 CIDR', 'e: podCIDR "fd00:1::/64" is not an IPv4 CIDR']],
    ['a podCIDR overlapping this node’s', [a, node('d', '10.244.0.0/16', ['InternalIP', '192.168.1.13']), node('e', '10.244.1.0/24', ['InternalIP', '192.168.1.14'])], [], ["d: its podCIDR 10.244.0.0/16 overlaps this node's 10.244.1.0/24", "e: its podCIDR 10.244.1.0/24 overlaps this node's 10.244.1.0/24"]],
    ['a podCIDR two nodes claim: neither', [a, b, node('d', '10.244.2.0/24', ['InternalIP', '192.168.1.13'])], [], ['b: its podCIDR 10.244.2.0/24 is also claimed by d', 'd: its podCIDR 10.244.2.0/24 is also claimed by b']],
  ])('%s', (_what, nodes, routes, skipped) => {
    const got = peerRoutes(nodes, 'a');
    expect(got.routes.map((r) => `${r.dst} via ${r.via} (${r.node})`)).toEqual(routes);
    expect(got.skipped.map((s) => `${s.node}: ${s.reason}`)).toEqual(skipped);
  });
});
