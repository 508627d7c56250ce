/**
 * The service proxy's rule set (pure): from Services and EndpointSlices to the complete
 * iptables-restore payload of the proxy's own chains (chains.ts) in the nat and filter tables, and
 * the jump rules ("hooks") from built-in chains that lead to them. Same input, same output, line
 * for line: services are sorted, endpoints too.
 *
 * The rules follow kube-proxy's iptables mode:
 * - <p>-SERVICES (nat) captures each cluster IP:port (→ SVC, or SVL under internalTrafficPolicy
 *   Local), external IP and load-balancer IP (→ EXT); its last rule sends traffic to local addresses
 *   on to <p>-NODEPORTS (→ EXT).
 * - SVC/SVL: traffic to the cluster IP from outside the cluster CIDR is marked for masquerade; session
 *   affinity (`-m recent`) rules, then one rule per endpoint with `-m statistic --mode random
 *   --probability 1/(n-i)` (10 decimals), the last unconditional.
 * - EXT: externalTrafficPolicy Cluster masquerades and goes to SVC; Local keeps the client's address
 *   and goes to SVL, except traffic from pods and from the node itself, which goes to SVC.
 * - SEP: marks hairpin traffic (an endpoint reaching itself) for masquerade, then DNATs (and records
 *   the client for affinity).
 * - Without usable endpoints the filter table's <p>-SERVICES REJECTs (icmp-port-unreachable) the
 *   service's addresses and NodePort; with endpoints only on other nodes under a Local policy it
 *   DROPs what the Local policy does not serve.
 * - <p>-POSTROUTING masquerades marked packets; filter <p>-FORWARD accepts marked and established
 *   traffic where the FORWARD policy drops (Docker's).
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { chainNames, type ChainNames } from './chains.js';
import { buildServicePorts, categorizeEndpoints, externallyAccessible, type ProxyEndpoint, type ServicePort } from './model.js';

/** The packet mark that asks <p>-POSTROUTING to masquerade (a bit kube-proxy and Docker leave alone). */
export const MASQ_MARK = '0x2000';
const LOOPBACK = '127.0.0.0/8';

export interface RenderOptions {
  /**
   * The addresses NodePorts answer on (kube-proxy's --nodeport-addresses as IPs); empty: every
   * local address.
   */
  nodeIPs: string[];
  /** The cluster's pod CIDR: traffic from outside it to a cluster IP is masqueraded. */
  clusterCIDR: string;
  /** Masquerade all traffic to cluster IPs. Default false. */
  masqueradeAll?: boolean;
  /**
   * NodePorts also answer on 127.0.0.0/8 (needs net.ipv4.conf.all.route_localnet=1; a <p>-FIREWALL
   * rule then drops martian packets to 127.0.0.0/8). Default true, as upstream.
   */
  localhostNodePorts?: boolean;
  /** Chain name prefix (chains.ts). Default "TUG". */
  prefix?: string;
}

export interface RenderInput extends RenderOptions {
  services: Service[];
  endpointSlices: EndpointSlice[];
  /** This node's name: endpoints with this nodeName are local. */
  nodeName: string;
}

export type Table = 'nat' | 'filter';

/** A jump from a built-in chain to one of the proxy's chains. */
export interface Hook {
  table: Table;
  /** The built-in chain (PREROUTING, OUTPUT, POSTROUTING, INPUT, FORWARD). */
  chain: string;
  /** The rule after `-A <chain>`, as `iptables -S` lists it (comments quoted). */
  rule: string[];
}

export interface RenderedRules {
  /**
   * iptables-restore lines for the nat table, without `*nat` and COMMIT: a `:<chain> - [0:0]` line
   * per chain of the proxy (declaring flushes it), then the chains' `-A` rules in order.
   */
  nat: string[];
  /** The same for the filter table. */
  filter: string[];
  /** The jumps into the proxy's chains, per built-in chain in the order they should head it. */
  hooks: Hook[];
}

/** Rules of one table, chain by chain, in the order chains were first used. */
class TableRules {
  private readonly chains = new Map<string, string[]>();

  declare(chain: string): void {
    if (!this.chains.has(chain)) this.chains.set(chain, []);
  }

  /** Appends `-A <chain> <rule>`. */
  add(chain: string, rule: string): void {
    let rules = this.chains.get(chain);
    if (!rules) this.chains.set(chain, (rules = []));
    rules.push(`-A ${chain} ${rule}`);
  }

  lines(): string[] {
    const out: string[] = [];
    for (const chain of this.chains.keys()) out.push(`:${chain} - [0:0]`);
    for (const rules of this.chains.values()) for (const rule of rules) out.push(rule);
    return out;
  }
}

const comment = (text: string) => `-m comment --comment "${text}"`;
const REJECT = 'REJECT --reject-with icmp-port-unreachable';

/** 1/n with 10 decimals, as kube-proxy writes statistic probabilities. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** The hooks of the proxy's chains. */
export function renderHooks(n: ChainNames, localhostNodePorts: boolean): Hook[] {
  const portals = ['-m', 'comment', '--comment', '"tug service portals"'];
  const isNew = ['-m', 'conntrack', '--ctstate', 'NEW'];
  const firewall = localhostNodePorts ? [['-m', 'comment', '--comment', '"tug localnet firewall"', '-j', n.firewall]] : [];
  const hooks: [Table, string, string[][]][] = [
    ['nat', 'PREROUTING', [[...portals, '-j', n.services]]],
    ['nat', 'OUTPUT', [[...portals, '-j', n.services]]],
    ['nat', 'POSTROUTING', [['-m', 'comment', '--comment', '"tug postrouting rules"', '-j', n.postrouting]]],
    ['filter', 'INPUT', [[...isNew, ...portals, '-j', n.services], ...firewall]],
    ['filter', 'FORWARD', [[...isNew, ...portals, '-j', n.services], ['-m', 'comment', '--comment', '"tug forwarding rules"', '-j', n.forward]]],
    ['filter', 'OUTPUT', [[...isNew, ...portals, '-j', n.services], ...firewall]],
  ];
  return hooks.flatMap(([table, chain, rules]) => rules.map((rule) => ({ table, chain, rule })));
}

interface Context {
  n: ChainNames;
  opts: RenderOptions;
  nat: TableRules;
  filter: TableRules;
}

/** SVC/SVL chain `chain`: affinity checks, then the random pick among `endpoints`. */
function renderBalancing(c: Context, sp: ServicePort, chain: string, endpoints: ProxyEndpoint[], sep: (ep: ProxyEndpoint) => string): void {
  if (sp.affinitySeconds !== undefined) {
    for (const ep of endpoints) {
      c.nat.add(chain, `${comment(`${sp.name} -> ${ep.address}`)} -m recent --name ${sep(ep)} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep(ep)}`);
    }
  }
  endpoints.forEach((ep, i) => {
    const pick = i < endpoints.length - 1 ? ` -m statistic --mode random --probability ${probability(endpoints.length - i)}` : '';
    c.nat.add(chain, `${comment(`${sp.name} -> ${ep.address}`)}${pick} -j ${sep(ep)}`);
  });
}

function renderServicePort(c: Context, sp: ServicePort): void {
  const { n, nat, filter, opts } = c;
  const proto = sp.protocol.toLowerCase();
  const { cluster, local, reachable, any } = categorizeEndpoints(sp);
  const hasInternal = (sp.internalLocal ? local : cluster).length > 0;
  const hasExternal = (sp.externalLocal ? local : cluster).length > 0;
  const usesExt = any && externallyAccessible(sp);
  const svc = cluster.length > 0 ? n.svc(sp.name, sp.protocol) : '';
  const svl = local.length > 0 ? n.svl(sp.name, sp.protocol) : '';
  const ext = usesExt ? n.ext(sp.name, sp.protocol) : '';
  const internalChain = sp.internalLocal ? svl : svc;
  const externalChain = sp.externalLocal ? svl : svc;
  // What the filter table does to traffic no chain serves: REJECT without endpoints, else DROP.
  const unserved = comment(any ? `${sp.name} has no local endpoints` : `${sp.name} has no endpoints`);
  const unservedTarget = any ? 'DROP' : REJECT;
  const seps = new Map(reachable.map((ep) => [ep, n.sep(sp.name, sp.protocol, ep.address)]));
  const sep = (ep: ProxyEndpoint) => seps.get(ep)!;
  // Chains in a fixed order: SVC, SVL, EXT, then one SEP per endpoint.
  for (const chain of [svc, svl, ext, ...seps.values()]) if (chain) nat.declare(chain);
  const to = (ip: string, text: string) => `-d ${ip}/32 -p ${proto} ${text} -m ${proto} --dport ${sp.port}`;

  if (hasInternal) nat.add(n.services, `${to(sp.clusterIP, comment(`${sp.name} cluster IP`))} -j ${internalChain}`);
  else filter.add(n.services, `${to(sp.clusterIP, unserved)} -j ${unservedTarget}`);

  for (const [ips, kind] of [
    [sp.externalIPs, 'external IP'],
    [sp.loadBalancerIPs, 'loadbalancer IP'],
  ] as const) {
    for (const ip of ips) {
      if (usesExt) nat.add(n.services, `${to(ip, comment(`${sp.name} ${kind}`))} -j ${ext}`);
      if (!hasExternal) filter.add(n.services, `${to(ip, unserved)} -j ${unservedTarget}`);
    }
  }
  if (sp.nodePort > 0) {
    if (usesExt) nat.add(n.nodePorts, `-p ${proto} ${comment(sp.name)} -m ${proto} --dport ${sp.nodePort} -j ${ext}`);
    if (!hasExternal) filter.add(n.services, `-p ${proto} ${unserved} -m addrtype --dst-type LOCAL -m ${proto} --dport ${sp.nodePort} -j ${unservedTarget}`);
  }

  if (hasInternal) {
    const source = opts.masqueradeAll ? '' : opts.clusterCIDR ? `! -s ${opts.clusterCIDR} ` : undefined;
    if (source !== undefined) nat.add(internalChain, `${source}${to(sp.clusterIP, comment(`${sp.name} cluster IP`))} -j ${n.markMasq}`);
  }

  if (usesExt) {
    if (!sp.externalLocal) {
      nat.add(ext, `${comment(`masquerade traffic for ${sp.name} external destinations`)} -j ${n.markMasq}`);
    } else {
      // Pods and the node itself reach external addresses as if from outside through a load balancer
      // that comes back in: no traffic policy applies; the node's own traffic needs masquerade.
      if (svc && opts.clusterCIDR) nat.add(ext, `-s ${opts.clusterCIDR} ${comment(`pod traffic for ${sp.name} external destinations`)} -j ${svc}`);
      nat.add(ext, `${comment(`masquerade LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${n.markMasq}`);
      if (svc) nat.add(ext, `${comment(`route LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${svc}`);
    }
    if (hasExternal) nat.add(ext, `-j ${externalChain}`);
  }

  if (svc) renderBalancing(c, sp, svc, cluster, sep);
  if (svl) renderBalancing(c, sp, svl, local, sep);

  for (const [ep, chain] of seps) {
    nat.add(chain, `-s ${ep.ip}/32 ${comment(sp.name)} -j ${n.markMasq}`);
    const affinity = sp.affinitySeconds !== undefined ? ` -m recent --name ${chain} --set` : '';
    nat.add(chain, `-p ${proto} ${comment(sp.name)}${affinity} -m ${proto} -j DNAT --to-destination ${ep.address}`);
  }
}

/**
 * The rule set for already distilled service ports (model.ts). `n` (default: chainNames of the
 * prefix) may be kept across renders: it remembers the hashes it computed.
 */
export function renderServicePorts(ports: ServicePort[], opts: RenderOptions, n: ChainNames = chainNames(opts.prefix)): RenderedRules {
  const localhostNodePorts = opts.localhostNodePorts ?? true;
  const nat = new TableRules();
  const filter = new TableRules();
  for (const chain of [n.services, n.nodePorts, n.postrouting, n.markMasq]) nat.declare(chain);
  for (const chain of [n.services, n.forward, ...(localhostNodePorts ? [n.firewall] : [])]) filter.declare(chain);

  nat.add(n.postrouting, `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  // Clear the mark so a packet that traverses the stack again is not masqueraded twice.
  nat.add(n.postrouting, `-j MARK --xor-mark ${MASQ_MARK}`);
  nat.add(n.postrouting, `${comment('tug service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  nat.add(n.markMasq, `-j MARK --or-mark ${MASQ_MARK}`);
  filter.add(n.forward, `${comment('tug forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`);
  filter.add(n.forward, `${comment('tug forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  if (localhostNodePorts) {
    filter.add(n.firewall, `! -s ${LOOPBACK} -d ${LOOPBACK} ${comment('block incoming localnet connections')} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);
  }

  const c: Context = { n, opts, nat, filter };
  for (const sp of ports) renderServicePort(c, sp);

  // Last: traffic to the node's own addresses may be for a NodePort.
  const last = comment('tug service nodeports; NOTE: this must be the last rule in this chain');
  if (opts.nodeIPs.length === 0) {
    nat.add(n.services, `${localhostNodePorts ? '' : `! -d ${LOOPBACK} `}${last} -m addrtype --dst-type LOCAL -j ${n.nodePorts}`);
  } else {
    const nodeIPs = localhostNodePorts ? opts.nodeIPs : opts.nodeIPs.filter((ip) => !ip.startsWith('127.'));
    for (const ip of [...new Set(nodeIPs)].sort()) nat.add(n.services, `-d ${ip}/32 ${last} -j ${n.nodePorts}`);
  }
  return { nat: nat.lines(), filter: filter.lines(), hooks: renderHooks(n, localhostNodePorts) };
}

/** The complete rule set for `input`. Pure and deterministic. */
export function renderRules(input: RenderInput): RenderedRules {
  return renderServicePorts(buildServicePorts(input.services, input.endpointSlices, { nodeName: input.nodeName }), input);
}
