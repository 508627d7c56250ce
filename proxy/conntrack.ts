/**
 * UDP conntrack entries a rule change leaves stale (pure). UDP has no connection to end, so an entry
 * outlives the rules that made it and keeps steering packets as then:
 * - to an endpoint that is gone: entries DNATed to it, per service address (--dst-nat);
 * - while a port had no endpoints, entries to its addresses were made without DNAT (rejected):
 *   once it has endpoints again those must go, or the client stays cut off;
 * - to a service port that is gone: entries to its addresses.
 * Each result is a filter for `conntrack -D` (ProxyHost.conntrackDelete). TCP and SCTP need nothing:
 * their connections end.
 */
import { categorizeEndpoints, type ServicePort } from './model.js';

const key = (sp: ServicePort) => `${sp.name}/${sp.protocol}`;

/** The filters that select `sp`'s flows (each service address and its NodePort), with `extra`. */
function flowsOf(sp: ServicePort, extra: string[] = []): string[][] {
  const byAddress = [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs].map((ip) => ['-p', 'udp', '--orig-dst', ip, '--dport', String(sp.port), ...extra]);
  const byNodePort = sp.nodePort > 0 ? [['-p', 'udp', '--dport', String(sp.nodePort), ...extra]] : [];
  return [...byAddress, ...byNodePort];
}

const reachableIPs = (sp: ServicePort) => new Set(categorizeEndpoints(sp).reachable.map((ep) => ep.ip));

/** `conntrack -D` filters for the UDP flows that going from `prev` to `next` leaves stale, deduplicated. */
export function staleUdpFlows(prev: ServicePort[], next: ServicePort[]): string[][] {
  const udp = (ports: ServicePort[]) => new Map(ports.filter((sp) => sp.protocol === 'UDP').map((sp) => [key(sp), sp]));
  const before = udp(prev);
  const after = udp(next);
  const out: string[][] = [];
  for (const [k, old] of before) {
    const now = after.get(k);
    if (!now || now.clusterIP !== old.clusterIP || now.port !== old.port) {
      out.push(...flowsOf(old));
      continue;
    }
    const current = reachableIPs(now);
    for (const ip of reachableIPs(old)) if (!current.has(ip)) out.push(...flowsOf(old, ['--dst-nat', ip]));
  }
  for (const [k, now] of after) {
    const old = before.get(k);
    if (reachableIPs(now).size > 0 && (!old || reachableIPs(old).size === 0)) out.push(...flowsOf(now));
  }
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.join(' ')) && seen.add(f.join(' ')));
}
