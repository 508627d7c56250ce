/**
 * The routes host-gw wants on a node, from the Node objects: for every other Node with a podCIDR
 * and an IPv4 InternalIP, "<podCIDR> via <InternalIP>". Pure.
 * Never a route to the node's own podCIDR (its pods are on its bridge), nor to a podCIDR that
 * overlaps it or that two nodes claim: those nodes are reported as skipped, with the reason.
 * A Node without a podCIDR yet is left out silently (it has no pods to reach).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { contains, formatCIDR, networkAddress, parseCIDR, parseIP, subnetOf, type CIDR } from '../../cni/ip.js';

/** A route to another node's pods. */
export interface PeerRoute {
  /** The node's podCIDR, canonical ("10.244.2.0/24"). */
  dst: string;
  /** The next hop: the node's InternalIP. */
  via: string;
  node: string;
}

/** A node that gets no route, and why (a phrase for the log). */
export interface SkippedNode {
  node: string;
  reason: string;
}

export interface PeerRoutes {
  /** Sorted by node name. */
  routes: PeerRoute[];
  skipped: SkippedNode[];
}

/** The node's first IPv4 InternalIP, as its agent reports it in status.addresses. */
export function internalIPv4(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && parseIP(a.address)?.family === 4)?.address;
}

const overlaps = (a: CIDR, b: CIDR) => contains(a, networkAddress(b)) || contains(b, networkAddress(a));

export function peerRoutes(nodes: readonly Node[], self: string): PeerRoutes {
  const ownText = nodes.find((n) => n.metadata?.name === self)?.spec?.podCIDR;
  const own = ownText ? parseCIDR(ownText) : undefined;
  const skipped: SkippedNode[] = [];
  const claims = new Map<string, PeerRoute[]>();
  for (const node of [...nodes].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const name = node.metadata?.name ?? '';
    const podCIDR = node.spec?.podCIDR;
    if (name === self || !podCIDR) continue;
    const cidr = parseCIDR(podCIDR);
    const via = internalIPv4(node);
    if (!cidr || cidr.ip.family !== 4) skipped.push({ node: name, reason: `podCIDR ${JSON.stringify(podCIDR)} is not an IPv4 CIDR` });
    else if (!via) skipped.push({ node: name, reason: 'the node reports no IPv4 InternalIP' });
    else if (own && overlaps(cidr, own)) skipped.push({ node: name, reason: `its podCIDR ${podCIDR} overlaps this node's ${ownText}` });
    else {
      const dst = formatCIDR(subnetOf(cidr));
      claims.set(dst, [...(claims.get(dst) ?? []), { dst, via, node: name }]);
    }
  }
  const routes: PeerRoute[] = [];
  for (const [dst, claimants] of claims) {
    if (claimants.length === 1) routes.push(claimants[0]!);
    else for (const c of claimants) skipped.push({ node: c.node, reason: `its podCIDR ${dst} is also claimed by ${claimants.filter((o) => o !== c).map((o) => o.node).join(', ')}` });
  }
  return { routes: routes.sort((a, b) => a.node.localeCompare(b.node)), skipped };
}
