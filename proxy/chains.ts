/**
 * Names of the service proxy's iptables chains. Every one starts with `<prefix>-` (default `TUG`),
 * so the proxy's rules never collide with kube-proxy's (KUBE-*), Docker's or tug-bridge's
 * (TUG-CNI-*), and two proxies with different prefixes (tests) keep apart:
 *
 *   nat     <p>-SERVICES (hooked from PREROUTING and OUTPUT), <p>-NODEPORTS, <p>-POSTROUTING
 *           (hooked from POSTROUTING), <p>-MARK-MASQ, and per service port <p>-SVC-<hash> (all
 *           usable endpoints), <p>-SVL-<hash> (this node's endpoints), <p>-EXT-<hash> (traffic to
 *           NodePorts, external IPs and load-balancer IPs) and per endpoint <p>-SEP-<hash>
 *   filter  <p>-SERVICES (REJECT/DROP for services without usable endpoints), <p>-FORWARD,
 *           <p>-FIREWALL (drops martian packets to 127.0.0.0/8 when NodePorts answer on loopback)
 *
 * The hash is the first 80 bits of SHA-256 of the service port name and protocol (and endpoint),
 * base32-encoded, as kube-proxy names its chains, so names fit iptables' 28 characters.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_PREFIX = 'TUG';
const PREFIX = /^[A-Z][A-Z0-9]{0,6}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const FIXED = ['SERVICES', 'NODEPORTS', 'POSTROUTING', 'MARK-MASQ', 'FORWARD', 'FIREWALL'];

/** 16 base32 characters of SHA-256(`text`): its first 10 bytes, 5 bits per character. */
export function hash16(text: string): string {
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; out.length < 16; i++) {
    value = (value << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export interface ChainNames {
  readonly prefix: string;
  readonly services: string;
  readonly nodePorts: string;
  readonly postrouting: string;
  readonly markMasq: string;
  readonly forward: string;
  readonly firewall: string;
  /** Chains of one service port (`portName` as "ns/name:port", protocol as "TCP"). */
  svc(portName: string, protocol: string): string;
  svl(portName: string, protocol: string): string;
  ext(portName: string, protocol: string): string;
  /** The chain of one endpoint ("ip:port") of a service port. */
  sep(portName: string, protocol: string, endpoint: string): string;
  /** Whether `chain` is one of this prefix's chains (fixed or per service). */
  isOurs(chain: string): boolean;
}

/** Hashes a ChainNames remembers before it forgets them all (a bound on its memory). */
const MEMO_LIMIT = 200_000;

/**
 * The chain names for `prefix` (1–7 characters, A–Z and digits, starting with a letter). The object
 * remembers the hashes it computed (up to a bound), so keeping it across renders saves rehashing.
 */
export function chainNames(prefix = DEFAULT_PREFIX): ChainNames {
  if (!PREFIX.test(prefix)) throw new Error(`invalid chain prefix "${prefix}": 1-7 characters A-Z0-9, starting with a letter`);
  const ours = new RegExp(`^${prefix}-(${FIXED.join('|')}|(SVC|SVL|EXT|SEP)-[A-Z2-7]{16})$`);
  const memo = new Map<string, string>();
  const hash = (text: string) => {
    let h = memo.get(text);
    if (h === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(text, (h = hash16(text)));
    }
    return h;
  };
  const portHash = (portName: string, protocol: string) => hash(portName + protocol.toLowerCase());
  return {
    prefix,
    services: `${prefix}-SERVICES`,
    nodePorts: `${prefix}-NODEPORTS`,
    postrouting: `${prefix}-POSTROUTING`,
    markMasq: `${prefix}-MARK-MASQ`,
    forward: `${prefix}-FORWARD`,
    firewall: `${prefix}-FIREWALL`,
    svc: (n, p) => `${prefix}-SVC-${portHash(n, p)}`,
    svl: (n, p) => `${prefix}-SVL-${portHash(n, p)}`,
    ext: (n, p) => `${prefix}-EXT-${portHash(n, p)}`,
    sep: (n, p, endpoint) => `${prefix}-SEP-${hash(n + p.toLowerCase() + endpoint)}`,
    isOurs: (chain) => ours.test(chain),
  };
}
