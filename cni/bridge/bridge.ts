/**
 * tug-bridge: attaches a container to a Linux bridge with a veth pair and addresses from a delegated
 * IPAM plugin (config.ts lists the options).
 *
 * ADD: addresses from IPAM; bridge created if missing (concurrent creators are fine), veth pair with
 * its container end moved into the container's namespace as CNI_IFNAME and its host end named from
 * (container id, ifname) so DEL finds it without state, host end attached to the bridge (hairpin
 * when asked), gateway address on the bridge, addresses and routes set in the container, loopback
 * up, firewall rules (firewall.ts). The host side and the container side each take one `ip` run
 * (a batch), the container side and the firewall at once. On failure everything it did is undone
 * (best effort) and the error is returned. A prevResult given to ADD is
 * replaced by this plugin's result (it is meant to come first in a chain).
 * DEL: IPAM released, both veth ends deleted, the network's firewall rules removed with the bridge's
 * last port. Idempotent: a missing namespace, veth or address is not an error.
 * CHECK: the prevResult's interfaces, addresses and routes exist, the IPAM reservation and the
 * firewall rules are in place; else CheckFailed (101).
 * Only IPv4 addresses are supported.
 */
import { createHash } from 'node:crypto';
import { CniError, invalidConfig } from '../errors.js';
import { formatCIDR, formatIP, networkAddress, offset, parseCIDR, parseIP, subnetOf, type CIDR } from '../ip.js';
import type { IpamDelegate } from '../delegate.js';
import type { PluginHandlers } from '../skel.js';
import { ErrorCode, type CniArgs, type IPConfig, type NetConf, type Result, type Route } from '../types.js';
import { decodeResult } from '../version.js';
import { parseBridgeConfig, type BridgeConfig } from './config.js';
import type { Firewall, NetworkRules } from './firewall.js';
import { addresses, deleteLink, getLink, routes as listRoutes, runBatch, type BatchStep, type Link } from './links.js';
import { isExists, type NetOps } from './netops.js';

export interface BridgeDeps {
  ops: NetOps;
  ipam: IpamDelegate;
  firewall: Firewall;
}

/** The host-side veth name of (container id, ifname): "veth" + 11 hex digits of a hash (15 chars). */
export function hostVethName(containerId: string, ifName: string): string {
  return 'veth' + createHash('sha256').update(`${containerId}/${ifName}`).digest('hex').slice(0, 11);
}

interface Assigned {
  ip: IPConfig;
  cidr: CIDR;
  gateway: string;
}

const DEFAULT_ROUTE = '0.0.0.0/0';

/** The IPAM result's addresses with their gateways (the subnet's first address when IPAM gives none). */
function assigned(result: Result): Assigned[] {
  const ips = result.ips ?? [];
  if (ips.length === 0) throw new CniError(ErrorCode.Internal, 'IPAM plugin returned no addresses');
  return ips.map((ip) => {
    const cidr = parseCIDR(ip.address);
    if (!cidr || cidr.ip.family !== 4) throw invalidConfig('tug-bridge supports IPv4 addresses only', ip.address);
    const gw = ip.gateway ? parseIP(ip.gateway) : offset(networkAddress(cidr), 1n);
    if (!gw || gw.family !== 4) throw invalidConfig('invalid gateway from IPAM', ip.gateway);
    return { ip, cidr, gateway: formatIP(gw) };
  });
}

function networkRules(conf: NetConf, c: BridgeConfig, addrs: Assigned[]): NetworkRules {
  return {
    network: conf.name,
    bridge: c.bridge,
    subnets: [...new Set(addrs.map((a) => formatCIDR(subnetOf(a.cidr))))],
    ipMasq: c.ipMasq,
    ipMasqExclude: c.ipMasqExclude,
  };
}

/** The routes to install: IPAM's, plus the default route for isDefaultGateway; every one with a gateway. */
function containerRoutes(c: BridgeConfig, ipamRoutes: Route[], gateway: string): Route[] {
  const out = ipamRoutes.map((r) => ({ dst: r.dst, gw: r.gw ?? gateway }));
  if (c.isDefaultGateway && !out.some((r) => r.dst === DEFAULT_ROUTE)) out.push({ dst: DEFAULT_ROUTE, gw: gateway });
  return out;
}

/** `ip route` prints 0.0.0.0/0 as "default" and host routes without "/32". */
function routeDst(dst: string): string {
  if (dst === DEFAULT_ROUTE) return 'default';
  return dst.endsWith('/32') ? dst.slice(0, -3) : dst;
}

/** Waits for every one of `tasks`, then rejects with the first failure if any (nothing is left running). */
async function allDone(tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export function bridgePlugin({ ops, ipam, firewall }: BridgeDeps): PluginHandlers {
  /**
   * The host end, in one `ip` run: the bridge (created unless it exists; a concurrent creator
   * winning is fine) and up, the veth pair (container end moved into `netns`), the host end on the
   * bridge and up, hairpin, the gateway addresses; resolves with the host end and the bridge as they
   * are then. A leftover host end of an interrupted ADD of the same key is replaced.
   */
  async function hostEnd(c: BridgeConfig, args: CniArgs, netns: string, hostVeth: string, addrs: Assigned[]): Promise<[Link, Link]> {
    const mtu = c.mtu ? ['mtu', String(c.mtu)] : [];
    const gateways = c.isGateway ? [...new Set(addrs.map((a) => `${a.gateway}/${a.cidr.prefix}`))] : [];
    const steps: BatchStep[] = [
      { args: ['link', 'add', 'name', c.bridge, ...mtu, 'type', 'bridge'], tolerateExists: true },
      { args: ['link', 'set', 'dev', c.bridge, 'up'] },
      { args: ['link', 'add', hostVeth, ...mtu, 'type', 'veth', 'peer', 'name', args.ifName, ...mtu, 'netns', netns] },
      { args: ['link', 'set', 'dev', hostVeth, 'master', c.bridge, 'up'] },
      ...(c.hairpinMode ? [{ args: ['link', 'set', 'dev', hostVeth, 'type', 'bridge_slave', 'hairpin', 'on'] }] : []),
      ...gateways.map((g) => ({ args: ['addr', 'add', g, 'dev', c.bridge], tolerateExists: true })),
      { args: ['link', 'show', 'dev', hostVeth] },
      { args: ['link', 'show', 'dev', c.bridge] },
    ];
    let links: Link[];
    try {
      links = await runBatch(ops, steps);
    } catch (err) {
      if (!isExists(err)) throw err;
      await deleteLink(ops, hostVeth);
      links = await runBatch(ops, steps);
    }
    const [hostLink, bridgeLink] = links as [Link, Link];
    if (bridgeLink.linkinfo?.info_kind !== 'bridge') throw new Error(`${c.bridge} exists and is not a bridge`);
    if (c.isGateway) await ops.setSysctl('net/ipv4/ip_forward', '1');
    return [hostLink, bridgeLink];
  }

  /** The container end, in one `ip` run inside `netns`: addresses, links up, routes; resolves with the interface. */
  async function containerEnd(args: CniArgs, netns: string, addrs: Assigned[], routes: Route[]): Promise<Link> {
    const [link] = await runBatch(
      ops,
      [
        ...addrs.map((a) => ({ args: ['addr', 'add', a.ip.address, 'dev', args.ifName], tolerateExists: true })),
        { args: ['link', 'set', 'dev', args.ifName, 'up'] },
        { args: ['link', 'set', 'dev', 'lo', 'up'] },
        ...routes.map((r) => ({ args: ['route', 'add', r.dst, ...(r.gw ? ['via', r.gw] : []), 'dev', args.ifName], tolerateExists: true })),
        { args: ['link', 'show', 'dev', args.ifName] },
      ],
      netns,
    );
    return link!;
  }

  /**
   * Wires the container to the bridge: the host end first (the port on the bridge keeps the
   * network's firewall rules from being removed by a concurrent DEL), then the container end and
   * the firewall rules at once.
   */
  async function attach(conf: NetConf, args: CniArgs, c: BridgeConfig, netns: string, hostVeth: string, ipamResult: Result): Promise<Result> {
    const addrs = assigned(ipamResult);
    const routes = containerRoutes(c, ipamResult.routes ?? [], addrs[0]!.gateway);
    const [hostLink, bridgeLink] = await hostEnd(c, args, netns, hostVeth, addrs);
    const podLink = containerEnd(args, netns, addrs, routes);
    await allDone([podLink, firewall.ensure(networkRules(conf, c, addrs))]);
    const dns = conf.dns ?? ipamResult.dns;
    return {
      cniVersion: conf.cniVersion,
      interfaces: [
        { name: c.bridge, mac: bridgeLink.address ?? '' },
        { name: hostVeth, mac: hostLink.address ?? '' },
        { name: args.ifName, mac: (await podLink).address ?? '', sandbox: netns },
      ],
      ips: addrs.map((a) => ({ address: a.ip.address, gateway: a.gateway, interface: 2 })),
      routes,
      ...(dns ? { dns } : {}),
    };
  }

  async function add(conf: NetConf, args: CniArgs): Promise<Result> {
    const c = parseBridgeConfig(conf);
    const netns = args.netns ?? '';
    if (!(await ops.netnsExists(netns))) throw new CniError(ErrorCode.UnknownContainer, 'network namespace not found', netns);
    const ipamResult = await ipam.add(conf, args);
    const hostVeth = hostVethName(args.containerId, args.ifName);
    try {
      return await attach(conf, args, c, netns, hostVeth, ipamResult);
    } catch (err) {
      await deleteLink(ops, hostVeth).catch(() => undefined);
      await firewall.removeIfUnused(conf.name, c.bridge).catch(() => undefined);
      await ipam.del(conf, args).catch(() => undefined);
      throw err;
    }
  }

  async function del(conf: NetConf, args: CniArgs): Promise<void> {
    const c = parseBridgeConfig(conf);
    await ipam.del(conf, args);
    if (args.netns && (await ops.netnsExists(args.netns))) await deleteLink(ops, args.ifName, args.netns);
    await deleteLink(ops, hostVethName(args.containerId, args.ifName));
    await firewall.removeIfUnused(conf.name, c.bridge);
  }

  async function check(conf: NetConf, args: CniArgs): Promise<void> {
    const c = parseBridgeConfig(conf);
    if (conf.prevResult === undefined) throw invalidConfig('required prevResult missing');
    const prev = decodeResult(conf.prevResult);
    await ipam.check(conf, args);
    const fail = (msg: string, details?: string) => new CniError(ErrorCode.CheckFailed, msg, details);
    const netns = args.netns ?? '';
    if (!(await ops.netnsExists(netns))) throw fail('network namespace not found', netns);
    const bridgeLink = await getLink(ops, c.bridge);
    if (bridgeLink?.linkinfo?.info_kind !== 'bridge') throw fail('bridge missing', c.bridge);
    const hostVeth = hostVethName(args.containerId, args.ifName);
    const hostLink = await getLink(ops, hostVeth);
    if (hostLink?.master !== c.bridge) throw fail('host veth missing or not attached to the bridge', hostVeth);
    if (c.hairpinMode && !hostLink.linkinfo?.info_slave_data?.hairpin) throw fail('hairpin mode off', hostVeth);
    const podLink = await getLink(ops, args.ifName, netns);
    if (!podLink?.flags.includes('UP')) throw fail('container interface missing or down', args.ifName);
    const index = (prev.interfaces ?? []).findIndex((i) => i.name === args.ifName && i.sandbox);
    const ips = (prev.ips ?? []).filter((ip) => ip.interface === undefined || ip.interface === index);
    if (ips.length === 0) throw fail('prevResult has no address for the interface', args.ifName);
    const have = (await addresses(ops, args.ifName, netns)).map((a) => `${a.local}/${a.prefixlen}`);
    for (const ip of ips) if (!have.includes(ip.address)) throw fail('address missing', ip.address);
    const present = await listRoutes(ops, netns);
    for (const r of prev.routes ?? []) {
      if (!present.some((p) => p.dst === routeDst(r.dst) && (!r.gw || p.gateway === r.gw))) throw fail('route missing', `${r.dst} via ${r.gw ?? '-'}`);
    }
    const missing = await firewall.missing(networkRules(conf, c, assigned({ ...prev, ips })));
    if (missing.length) throw fail('iptables rules missing', missing.join('; '));
  }

  return { add, del, check };
}
