/**
 * Which address a LoadBalancer Service gets from the pool, decided from the Services themselves:
 * an address is held by the Service whose status.loadBalancer.ingress lists it (when two list the
 * same one, the older Service keeps it), so no allocation state exists outside the API. A Service
 * keeps the address it has; spec.loadBalancerIP is honoured when in the pool and free; otherwise
 * it gets the lowest free address. Services of another loadBalancerClass belong to another
 * implementation and are never touched. Pure.
 */
import type { LoadBalancerIngress, Service } from 'kubernetes-types/core/v1.js';
import type { AddressPool } from './address-pool.js';

export type LoadBalancerDecision =
  /** Nothing to write. */
  | { kind: 'none' }
  /** The Service no longer wants a load balancer: its status address goes. */
  | { kind: 'clear' }
  /** status.loadBalancer.ingress must be exactly this. */
  | { kind: 'assign'; ingress: LoadBalancerIngress[] }
  /** No address can be given now; `message` says why. */
  | { kind: 'fail'; message: string };

export interface LoadBalancerInput {
  service: Service;
  /** Every other Service of the cluster. */
  others: Service[];
  /** Addresses handed out that the caches may not show yet: address → `namespace/name` of its Service. */
  pending: ReadonlyMap<string, string>;
  /** Undefined: no pool is configured, Services stay pending as on a cluster without a cloud. */
  pool: AddressPool | undefined;
}

const keyOf = (s: Service) => `${s.metadata?.namespace}/${s.metadata?.name}`;

/** A Service this controller gives an address: type LoadBalancer, no loadBalancerClass, not being deleted. */
export function wantsLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata?.deletionTimestamp;
}

/** The addresses of a Service's status. */
export function ingressIPs(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);
}

/** Older first: creation time, then namespace/name. */
function olderThan(a: Service, b: Service): boolean {
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  return ta !== tb ? ta < tb : keyOf(a) < keyOf(b);
}

/** Addresses of the pool that other Services hold against `svc`. */
function takenAgainst(input: LoadBalancerInput): Set<string> {
  const { service: svc, pool } = input;
  const own = new Set(ingressIPs(svc));
  const taken = new Set<string>();
  for (const other of input.others) {
    if (!wantsLoadBalancer(other) || keyOf(other) === keyOf(svc)) continue;
    for (const ip of ingressIPs(other)) {
      // Both list it: the older Service keeps it.
      if (pool!.contains(ip) && (!own.has(ip) || olderThan(other, svc))) taken.add(ip);
    }
  }
  for (const [ip, key] of input.pending) if (key !== keyOf(svc)) taken.add(ip);
  return taken;
}

/** `namespace/name` of the Service holding an address against `input.service`. */
function holderOf(input: LoadBalancerInput, ip: string): string | undefined {
  const holder = input.others.find((o) => wantsLoadBalancer(o) && keyOf(o) !== keyOf(input.service) && ingressIPs(o).includes(ip));
  return input.pending.get(ip) ?? (holder && keyOf(holder));
}

export function planLoadBalancer(input: LoadBalancerInput): LoadBalancerDecision {
  const { service: svc, pool } = input;
  if (!wantsLoadBalancer(svc)) {
    const released = svc.spec?.type !== 'LoadBalancer' && !svc.metadata?.deletionTimestamp && ingressIPs(svc).length > 0;
    return released ? { kind: 'clear' } : { kind: 'none' };
  }
  if (!pool) return { kind: 'none' };
  const taken = takenAgainst(input);
  const current = ingressIPs(svc).find((ip) => pool.contains(ip) && !taken.has(ip));
  const requested = svc.spec?.loadBalancerIP || undefined;
  let ip: string | undefined;
  if (requested && requested !== current) {
    if (!pool.contains(requested)) return { kind: 'fail', message: `requested loadBalancerIP ${requested} is not in the address pool ${pool.text}` };
    if (taken.has(requested)) return { kind: 'fail', message: `requested loadBalancerIP ${requested} is already in use by Service ${holderOf(input, requested)}` };
    ip = requested;
  } else {
    ip = current ?? pool.firstFree(taken);
  }
  if (!ip) return { kind: 'fail', message: `no address left in the address pool ${pool.text}` };
  const ingress: LoadBalancerIngress[] = [{ ip, ipMode: 'VIP' }];
  const have = svc.status?.loadBalancer?.ingress ?? [];
  const same = have.length === 1 && have[0]!.ip === ip && have[0]!.ipMode === 'VIP' && !have[0]!.hostname && !have[0]!.ports;
  return same ? { kind: 'none' } : { kind: 'assign', ingress };
}
