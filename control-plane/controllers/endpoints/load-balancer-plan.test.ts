import { describe, expect, it } from 'vitest';
import type { Service } from 'kubernetes-types/core/v1.js';
import { AddressPool } from './address-pool.js';
import { planLoadBalancer, type LoadBalancerDecision } from './load-balancer-plan.js';

let created = 0;
function lb(name: string, o: { ip?: string; status?: string[]; type?: string; cls?: string; deleting?: boolean; age?: number } = {}): Service {
  return {
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: new Date(Date.UTC(2026, 0, 1) + (o.age ?? ++created) * 1000).toISOString(),
      ...(o.deleting ? { deletionTimestamp: '2026-02-01T00:00:00Z' } : {}),
    },
    spec: { type: o.type ?? 'LoadBalancer', ...(o.ip ? { loadBalancerIP: o.ip } : {}), ...(o.cls ? { loadBalancerClass: o.cls } : {}) },
    status: { loadBalancer: o.status ? { ingress: o.status.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}

const pool = AddressPool.parse('172.30.255.200-172.30.255.202');
const assign = (ip: string): LoadBalancerDecision => ({ kind: 'assign', ingress: [{ ip, ipMode: 'VIP' }] });

describe('planLoadBalancer', () => {
  it.each<{ name: string; svc: Service; others?: Service[]; pending?: [string, string][]; pool?: AddressPool | null; want: LoadBalancerDecision }>([
    { name: 'first address for a new Service', svc: lb('a'), want: assign('172.30.255.200') },
    { name: 'the lowest free address', svc: lb('a'), others: [lb('b', { status: ['172.30.255.200'] })], want: assign('172.30.255.201') },
    { name: 'an address this controller just gave another Service is taken', svc: lb('a'), pending: [['172.30.255.200', 'default/b']], want: assign('172.30.255.201') },
    { name: 'its own pending address is not held against it', svc: lb('a'), pending: [['172.30.255.200', 'default/a']], want: assign('172.30.255.200') },
    { name: 'keeps what it has', svc: lb('a', { status: ['172.30.255.202'] }), want: { kind: 'none' } },
    { name: 'an address outside the pool is replaced', svc: lb('a', { status: ['9.9.9.9'] }), want: assign('172.30.255.200') },
    { name: 'spec.loadBalancerIP honoured', svc: lb('a', { ip: '172.30.255.201' }), want: assign('172.30.255.201') },
    { name: 'spec.loadBalancerIP moves a Service', svc: lb('a', { ip: '172.30.255.201', status: ['172.30.255.200'] }), want: assign('172.30.255.201') },
    {
      name: 'spec.loadBalancerIP in use',
      svc: lb('a', { ip: '172.30.255.201' }),
      others: [lb('b', { status: ['172.30.255.201'] })],
      want: { kind: 'fail', message: 'requested loadBalancerIP 172.30.255.201 is already in use by Service default/b' },
    },
    { name: 'spec.loadBalancerIP outside the pool', svc: lb('a', { ip: '10.9.9.9' }), want: { kind: 'fail', message: 'requested loadBalancerIP 10.9.9.9 is not in the address pool 172.30.255.200-172.30.255.202' } },
    {
      name: 'pool exhausted',
      svc: lb('a'),
      others: [lb('b', { status: ['172.30.255.200'] }), lb('c', { status: ['172.30.255.201'] }), lb('d', { status: ['172.30.255.202'] })],
      want: { kind: 'fail', message: 'no address left in the address pool 172.30.255.200-172.30.255.202' },
    },
    { name: 'addresses of Services that no longer want one are free', svc: lb('a'), others: [lb('b', { type: 'ClusterIP', status: ['172.30.255.200'] }), lb('c', { deleting: true, status: ['172.30.255.201'] })], want: assign('172.30.255.200') },
    { name: 'a duplicate: the older Service keeps the address', svc: lb('old', { status: ['172.30.255.200'], age: 1 }), others: [lb('new', { status: ['172.30.255.200'], age: 2 })], want: { kind: 'none' } },
    { name: 'a duplicate: the younger Service moves', svc: lb('new', { status: ['172.30.255.200'], age: 2 }), others: [lb('old', { status: ['172.30.255.200'], age: 1 })], want: assign('172.30.255.201') },
    { name: 'type changed away from LoadBalancer: the address goes', svc: lb('a', { type: 'ClusterIP', status: ['172.30.255.200'] }), want: { kind: 'clear' } },
    { name: 'a ClusterIP Service without status: nothing', svc: lb('a', { type: 'ClusterIP' }), want: { kind: 'none' } },
    { name: 'another loadBalancerClass: never touched', svc: lb('a', { cls: 'example.com/lb' }), want: { kind: 'none' } },
    { name: 'no pool: pending', svc: lb('a'), pool: null, want: { kind: 'none' } },
  ])('$name', ({ svc, others = [], pending = [], pool: p, want }) => {
    expect(planLoadBalancer({ service: svc, others: [svc, ...others], pending: new Map(pending), pool: p === null ? undefined : (p ?? pool) })).toEqual(want);
  });
});
