/**
 * What to change in a host's main routing table so that host-gw's routes are the wanted ones. Pure.
 *
 * host-gw owns exactly the main table's routes of protocol ROUTE_PROTO: it adds, replaces and
 * deletes those and no others, and a restarted agent recognises them as its own. A wanted route is
 * not installed, and its node is reported as skipped, when:
 * - the next hop is an address of this host (several nodes on one host share an address);
 * - the next hop is not on a directly connected network (no link-scope route reaches it): host-gw
 *   needs L2 adjacency (the kernel refuses a gateway it cannot reach directly);
 * - the host already has a route to the same destination that host-gw does not own (left alone).
 * Owned routes that are not wanted, or whose node is skipped, are removed. So one backend serves a
 * network namespace: two agents sharing one (tests) would share these routes, which is harmless
 * only because their nodes share an address and get no routes.
 */
import { contains, formatCIDR, parseCIDR, parseIP, type CIDR } from '../../cni/ip.js';
import type { PeerRoute, SkippedNode } from './peer-routes.js';

/**
 * The routing protocol number that marks host-gw's routes ("proto 84": ASCII "T", for Tugboat),
 * unused by iproute2's rt_protos and by the usual routing daemons and CNIs. `ip route show proto 84`
 * lists them; `ip route flush proto 84` removes them.
 */
export const ROUTE_PROTO = '84';
/** RT_SCOPE_LINK as `ip -N` prints it: a destination on a directly connected network. */
const SCOPE_LINK = '253';
/** RTN_UNICAST as `ip -N` prints it (with -d; without, the type of a unicast route is left out). */
const UNICAST = '1';

/** A route as `ip -N -j route show` prints it (numbers for protocol, scope and type). */
export interface RouteEntry {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  /** "1" unicast (printed only with -d), "2" local, "6" blackhole, … */
  type?: string;
}

export interface HostRoutes {
  /** The main table. */
  main: RouteEntry[];
  /** The local table's `local` routes: this host's addresses (127.0.0.0/8 included). */
  local: RouteEntry[];
}

export interface RoutePlan {
  add: PeerRoute[];
  /** Owned routes to a wanted destination through another next hop. */
  replace: PeerRoute[];
  /** Destinations of owned routes to delete. */
  remove: string[];
  /** Owned routes already as wanted. */
  unchanged: PeerRoute[];
  skipped: SkippedNode[];
}

/** A route with its destination parsed ("default" is 0.0.0.0/0; a host route is printed without /32). */
interface Parsed {
  route: RouteEntry;
  cidr: CIDR;
  /** Canonical, as PeerRoute.dst. */
  dst: string;
}

function parse(routes: RouteEntry[]): Parsed[] {
  return routes.flatMap((route) => {
    const cidr = parseCIDR(route.dst === 'default' ? '0.0.0.0/0' : route.dst.includes('/') ? route.dst : `${route.dst}/32`);
    return cidr ? [{ route, cidr, dst: formatCIDR(cidr) }] : [];
  });
}

/** The most specific of `routes` whose destination contains `ip`. */
function lookup(routes: Parsed[], ip: string): RouteEntry | undefined {
  const addr = parseIP(ip);
  let best: Parsed | undefined;
  for (const r of routes) if (addr && contains(r.cidr, addr) && (!best || r.cidr.prefix > best.cidr.prefix)) best = r;
  return best?.route;
}

/** Why `route` cannot be installed on this host, or undefined when it can. */
function obstacle(route: PeerRoute, local: Parsed[], foreign: Parsed[]): string | undefined {
  if (lookup(local, route.via)) return `its InternalIP ${route.via} is an address of this host`;
  const hop = lookup(foreign, route.via);
  if (!hop) return `no route to its InternalIP ${route.via}`;
  if (hop.gateway || hop.scope !== SCOPE_LINK || (hop.type ?? UNICAST) !== UNICAST) {
    return `its InternalIP ${route.via} is not on a directly connected network (reached via ${hop.gateway ?? hop.dst}); host-gw needs the nodes on one L2 segment`;
  }
  const clash = foreign.find((r) => r.dst === route.dst);
  if (clash) return `this host already has a route to ${route.dst}${clash.route.dev ? ` (dev ${clash.route.dev})` : ''} that host-gw does not own`;
  return undefined;
}

export function planRoutes(wanted: readonly PeerRoute[], host: HostRoutes): RoutePlan {
  const main = parse(host.main);
  const owned = new Map(main.filter((r) => r.route.protocol === ROUTE_PROTO).map((r) => [r.dst, r.route]));
  const foreign = main.filter((r) => r.route.protocol !== ROUTE_PROTO);
  const local = parse(host.local);
  const plan: RoutePlan = { add: [], replace: [], remove: [], unchanged: [], skipped: [] };
  for (const route of wanted) {
    const reason = obstacle(route, local, foreign);
    if (reason) plan.skipped.push({ node: route.node, reason });
    else if (!owned.has(route.dst)) plan.add.push(route);
    else if (owned.get(route.dst)!.gateway !== route.via) plan.replace.push(route);
    else plan.unchanged.push(route);
  }
  const kept = new Set([...plan.add, ...plan.replace, ...plan.unchanged].map((r) => r.dst));
  plan.remove = [...owned.keys()].filter((dst) => !kept.has(dst));
  return plan;
}
