/**
 * IPv4 and IPv6 addresses as numbers: parsing, printing and subnet arithmetic for IPAM and for
 * the bridge plugin's gateway and firewall rules. Pure.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IP {
  family: 4 | 6;
  value: bigint;
}

/** An address with a prefix length, as written in CIDR notation ("10.1.2.3/24" keeps the .3). */
export interface CIDR {
  ip: IP;
  prefix: number;
}

const bits = (family: 4 | 6) => (family === 4 ? 32 : 128);

function parseV4(s: string): bigint {
  return s.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number.parseInt(octet, 10)), 0n);
}

function parseV6(s: string): bigint {
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes its two hex words first.
  const embedded = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let text = s;
  if (embedded) {
    const v4 = parseV4(embedded[2]!);
    text = `${embedded[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => BigInt(Number.parseInt(g, 16))));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

/** The address in `s`, or undefined when it is not a valid IPv4 or IPv6 address. */
export function parseIP(s: string): IP | undefined {
  if (isIPv4(s)) return { family: 4, value: parseV4(s) };
  if (isIPv6(s) && !s.includes('%')) return { family: 6, value: parseV6(s) };
  return undefined;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as "::"). */
export function formatIP(ip: IP): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((ip.value >> s) & 0xffn).toString()).join('.');
  }
  const words = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** "addr/prefix", or undefined when malformed. */
export function parseCIDR(s: string): CIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bits(ip.family)) return undefined;
  return { ip, prefix };
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.ip)}/${c.prefix}`;
}

function hostMask(c: CIDR): bigint {
  return (1n << BigInt(bits(c.ip.family) - c.prefix)) - 1n;
}

/** The first address of the subnet. */
export function networkAddress(c: CIDR): IP {
  return { family: c.ip.family, value: c.ip.value & ~hostMask(c) };
}

/** The last address of the subnet (the broadcast address for IPv4). */
export function lastAddress(c: CIDR): IP {
  return { family: c.ip.family, value: c.ip.value | hostMask(c) };
}

/** The subnet itself ("10.1.2.3/24" → "10.1.2.0/24"). */
export function subnetOf(c: CIDR): CIDR {
  return { ip: networkAddress(c), prefix: c.prefix };
}

export function contains(c: CIDR, ip: IP): boolean {
  return ip.family === c.ip.family && (ip.value & ~hostMask(c)) === networkAddress(c).value;
}

export function offset(ip: IP, by: bigint): IP {
  return { family: ip.family, value: ip.value + by };
}

export function sameIP(a: IP, b: IP): boolean {
  return a.family === b.family && a.value === b.value;
}
