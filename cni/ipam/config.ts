/**
 * The IPAM section read by tug-host-local, in the reference host-local's terms:
 * `ranges` is a list of range sets (one address is allocated from each set), each a list of
 * `{subnet, rangeStart?, rangeEnd?, gateway?}`; the legacy top-level `subnet` (+ rangeStart,
 * rangeEnd, gateway) is one more set, first. `routes` are returned as they are; `dataDir` holds the
 * allocations (default /var/lib/cni/networks, one directory per network name).
 * Every problem is an InvalidConfig (7) CniError naming the field.
 */
import path from 'node:path';
import { invalidConfig } from '../errors.js';
import { contains, formatCIDR, lastAddress, networkAddress, offset, parseCIDR, parseIP, sameIP, type CIDR, type IP } from '../ip.js';
import type { NetConf, Route } from '../types.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

/** A range of allocatable addresses (start and end included) inside `subnet`. */
export interface IpRange {
  subnet: CIDR;
  start: IP;
  end: IP;
  gateway: IP;
}

/** Ranges of one address family; one address per container comes from each set. */
export type RangeSet = IpRange[];

export interface IpamConfig {
  rangeSets: RangeSet[];
  routes: Route[];
  /** The network's own directory: dataDir/<network name>. */
  dir: string;
}

interface RawRange {
  subnet?: unknown;
  rangeStart?: unknown;
  rangeEnd?: unknown;
  gateway?: unknown;
}

function optionalIP(value: unknown, field: string): IP | undefined {
  if (value === undefined || value === '') return undefined;
  const ip = typeof value === 'string' ? parseIP(value) : undefined;
  if (!ip) throw invalidConfig(`invalid ${field}`, JSON.stringify(value));
  return ip;
}

function parseRange(raw: RawRange, field: string): IpRange {
  const subnet = typeof raw.subnet === 'string' ? parseCIDR(raw.subnet) : undefined;
  if (!subnet) throw invalidConfig(`invalid ${field}.subnet`, JSON.stringify(raw.subnet));
  if (!sameIP(networkAddress(subnet), subnet.ip)) throw invalidConfig(`${field}.subnet has host bits set`, formatCIDR(subnet));
  const hostBits = (subnet.ip.family === 4 ? 32 : 128) - subnet.prefix;
  if (hostBits < 2) throw invalidConfig(`${field}.subnet is too small to allocate from`, formatCIDR(subnet));
  const last = lastAddress(subnet);
  // IPv4 keeps the network and broadcast addresses out; IPv6 only the network (subnet-router) address.
  const lowest = offset(subnet.ip, 1n);
  const highest = subnet.ip.family === 4 ? offset(last, -1n) : last;
  const within = (ip: IP | undefined, name: string) => {
    if (ip && (!contains(subnet, ip) || ip.value < lowest.value || ip.value > highest.value)) {
      throw invalidConfig(`${field}.${name} is outside the usable addresses of ${formatCIDR(subnet)}`);
    }
    return ip;
  };
  const start = within(optionalIP(raw.rangeStart, `${field}.rangeStart`), 'rangeStart') ?? lowest;
  const end = within(optionalIP(raw.rangeEnd, `${field}.rangeEnd`), 'rangeEnd') ?? highest;
  if (start.value > end.value) throw invalidConfig(`${field}.rangeStart is after rangeEnd`);
  const gateway = optionalIP(raw.gateway, `${field}.gateway`) ?? lowest;
  if (!contains(subnet, gateway)) throw invalidConfig(`${field}.gateway is outside ${formatCIDR(subnet)}`);
  return { subnet, start, end, gateway };
}

function overlaps(a: IpRange, b: IpRange): boolean {
  return a.start.family === b.start.family && a.start.value <= b.end.value && b.start.value <= a.end.value;
}

function parseRoutes(raw: unknown): Route[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidConfig('ipam.routes must be a list');
  return raw.map((r: { dst?: unknown; gw?: unknown }, i) => {
    if (typeof r?.dst !== 'string' || !parseCIDR(r.dst)) throw invalidConfig(`invalid ipam.routes[${i}].dst`, JSON.stringify(r?.dst));
    const gw = optionalIP(r.gw, `ipam.routes[${i}].gw`);
    return gw ? { dst: r.dst, gw: r.gw as string } : { dst: r.dst };
  });
}

export function parseIpamConfig(conf: NetConf): IpamConfig {
  const ipam = conf.ipam as Record<string, unknown> | undefined;
  if (!ipam || typeof ipam !== 'object') throw invalidConfig('ipam section missing');
  const rawSets: unknown[] = [];
  if (ipam.subnet !== undefined) rawSets.push([{ subnet: ipam.subnet, rangeStart: ipam.rangeStart, rangeEnd: ipam.rangeEnd, gateway: ipam.gateway }]);
  if (ipam.ranges !== undefined) {
    if (!Array.isArray(ipam.ranges)) throw invalidConfig('ipam.ranges must be a list of range sets');
    rawSets.push(...ipam.ranges);
  }
  if (rawSets.length === 0) throw invalidConfig('ipam needs ranges or subnet');
  const rangeSets = rawSets.map((set, i): RangeSet => {
    if (!Array.isArray(set) || set.length === 0) throw invalidConfig(`ipam.ranges[${i}] must be a non-empty list of ranges`);
    const ranges = set.map((r: RawRange, j) => parseRange(r ?? {}, `ipam.ranges[${i}][${j}]`));
    if (ranges.some((r) => r.subnet.ip.family !== ranges[0]!.subnet.ip.family)) throw invalidConfig(`ipam.ranges[${i}] mixes IPv4 and IPv6`);
    return ranges;
  });
  const all = rangeSets.flat();
  for (let a = 0; a < all.length; a++) {
    for (let b = a + 1; b < all.length; b++) {
      if (overlaps(all[a]!, all[b]!)) throw invalidConfig('ipam ranges overlap', `${formatCIDR(all[a]!.subnet)} and ${formatCIDR(all[b]!.subnet)}`);
    }
  }
  if (ipam.dataDir !== undefined && (typeof ipam.dataDir !== 'string' || !path.isAbsolute(ipam.dataDir))) throw invalidConfig('ipam.dataDir must be an absolute path');
  const dataDir = (ipam.dataDir as string | undefined) ?? DEFAULT_DATA_DIR;
  return { rangeSets, routes: parseRoutes(ipam.routes), dir: path.join(dataDir, conf.name) };
}
