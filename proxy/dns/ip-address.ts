/**
 * IP addresses as DNS carries them: 4 or 16 bytes in A/AAAA RDATA and reverse names, text
 * everywhere else. IPv6 text is written in the RFC 5952 canonical form so that equal addresses
 * compare equal as strings.
 */
import { isIPv4, isIPv6 } from 'node:net';

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** The 4 bytes of dotted-quad `ip` (no leading zeros); throws on anything else. */
export function ipv4Bytes(ip: string): Buffer {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return Buffer.from(parts.map(Number));
}

/** The 16 bytes of IPv6 text `ip` (with `::` and an embedded IPv4 tail allowed); throws on anything else. */
export function ipv6Bytes(ip: string): Buffer {
  if (!isIPv6(ip)) throw new Error(`not an IPv6 address: ${ip}`);
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Bytes(tail);
    text = `${text.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<string>(zeros).fill('0'), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** RFC 5952 text of 16 address bytes: lower case, no leading zeros, the longest zero run (≥ 2 groups) as `::`. */
export function formatIPv6(bytes: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** `ip` in the form lookups use: IPv4 as is, IPv6 canonical; undefined for anything that is not an address. */
export function canonicalIP(ip: string): string | undefined {
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return formatIPv6(ipv6Bytes(ip));
  return undefined;
}
