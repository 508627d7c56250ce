/**
 * Reverse names (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa) → addresses.
 */
import { canonicalIP, formatIPv6 } from './ip-address.js';
import { canonicalName } from './message.js';

const V4_SUFFIX = '.in-addr.arpa';
const V6_SUFFIX = '.ip6.arpa';

/** The address (canonical text) a complete reverse name stands for; undefined for anything else (partial names included). */
export function addressFromReverseName(name: string): string | undefined {
  const n = canonicalName(name);
  if (n.endsWith(V4_SUFFIX)) {
    const parts = n.slice(0, -V4_SUFFIX.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p))) return undefined;
    return canonicalIP(parts.reverse().join('.'));
  }
  if (n.endsWith(V6_SUFFIX)) {
    const nibbles = n.slice(0, -V6_SUFFIX.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    return formatIPv6(Buffer.from(nibbles.reverse().join(''), 'hex'));
  }
  return undefined;
}
