/**
 * A pool of IPv4 addresses LoadBalancer Services are given addresses from, written as a CIDR
 * (`172.30.255.0/28`: without its network and broadcast addresses, unless /31 or /32), a range
 * (`172.30.255.200-172.30.255.250`, both ends included), or several of these joined by commas.
 * Pure.
 */
import { isIPv4 } from 'node:net';

const toInt = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export class AddressPool {
  private constructor(
    readonly text: string,
    private readonly ranges: [number, number][],
  ) {}

  /** Parses a pool; throws an Error naming the bad part. */
  static parse(text: string): AddressPool {
    const ranges: [number, number][] = [];
    for (const raw of text.split(',').map((s) => s.trim())) {
      const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(raw);
      const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(raw);
      if (cidr && isIPv4(cidr[1]!) && Number(cidr[2]) <= 32) {
        const bits = Number(cidr[2]);
        const size = 2 ** (32 - bits);
        const network = Math.floor(toInt(cidr[1]!) / size) * size;
        ranges.push(bits >= 31 ? [network, network + size - 1] : [network + 1, network + size - 2]);
      } else if (range && isIPv4(range[1]!) && isIPv4(range[2]!) && toInt(range[1]!) <= toInt(range[2]!)) {
        ranges.push([toInt(range[1]!), toInt(range[2]!)]);
      } else {
        throw new Error(`invalid load balancer address pool entry "${raw}": want an IPv4 CIDR (10.0.0.0/24) or range (10.0.0.10-10.0.0.20)`);
      }
    }
    return new AddressPool(text, ranges);
  }

  contains(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = toInt(ip);
    return this.ranges.some(([lo, hi]) => n >= lo && n <= hi);
  }

  /** The lowest address of the pool not in `taken`, or undefined when all are. */
  firstFree(taken: ReadonlySet<string>): string | undefined {
    for (const [lo, hi] of this.ranges) {
      for (let n = lo; n <= hi; n++) {
        const ip = toIp(n);
        if (!taken.has(ip)) return ip;
      }
    }
    return undefined;
  }
}
