/**
 * Address choice for host-local, pure: given a range set, the addresses already reserved and the
 * last one handed out from the set, pick the next free address round robin (the search starts just
 * after the last reservation and wraps), never the gateway.
 */
import { contains, formatIP, parseIP, type IP } from '../ip.js';
import type { IpRange, RangeSet } from './config.js';

/** Who holds an address: the spec's key (container id, interface name) within one network. */
export interface Owner {
  containerId: string;
  ifName: string;
}

export interface Pick {
  range: IpRange;
  ip: IP;
}

const inRange = (r: IpRange, ip: IP) => ip.family === r.start.family && ip.value >= r.start.value && ip.value <= r.end.value;

/** Every address of the set once, starting after `after` (or at the first range's start). */
function* addressesAfter(set: RangeSet, after: IP | undefined): Generator<Pick> {
  let r = 0;
  let next = set[0]!.start.value;
  const at = after ? set.findIndex((range) => inRange(range, after)) : -1;
  if (after && at >= 0) {
    r = at;
    next = after.value + 1n;
  }
  const total = set.reduce((n, range) => n + (range.end.value - range.start.value + 1n), 0n);
  for (let n = 0n; n < total; n++) {
    if (next > set[r]!.end.value) {
      r = (r + 1) % set.length;
      next = set[r]!.start.value;
    }
    const range = set[r]!;
    yield { range, ip: { family: range.start.family, value: next } };
    next++;
  }
}

/** The next free address of `set`, or undefined when the set is exhausted. */
export function pickFree(set: RangeSet, reserved: ReadonlyMap<string, Owner>, lastReserved: IP | undefined): Pick | undefined {
  for (const pick of addressesAfter(set, lastReserved)) {
    if (pick.ip.value === pick.range.gateway.value) continue;
    if (!reserved.has(formatIP(pick.ip))) return pick;
  }
  return undefined;
}

/** The address in `set`'s subnets that `owner` already holds, if any (a repeated ADD gets it again). */
export function findOwned(set: RangeSet, reserved: ReadonlyMap<string, Owner>, owner: Owner): Pick | undefined {
  for (const [text, holder] of reserved) {
    if (holder.containerId !== owner.containerId || holder.ifName !== owner.ifName) continue;
    const ip = parseIP(text);
    const range = ip && set.find((r) => contains(r.subnet, ip));
    if (ip && range) return { range, ip };
  }
  return undefined;
}
