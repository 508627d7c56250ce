import { describe, expect, it } from 'vitest';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { planMirror, type MirrorPlan } from './mirror-plan.js';

function endpoints(subsets: Endpoints['subsets'], meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Endpoints {
  return { metadata: { name: 'db', namespace: 'default', uid: 'ep-uid', ...meta }, subsets };
}

/** The plan's new slices as the API would store them. */
function stored(plan: MirrorPlan): EndpointSlice[] {
  return plan.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `db-gen${i}`, resourceVersion: String(10 + i) } }));
}

const tcp = (port: number, name = '') => ({ name, port, protocol: 'TCP' });

describe('planMirror', () => {
  it('mirrors a subset into one owned slice: ready and not-ready addresses, ports, metadata', () => {
    const ep = endpoints(
      [{ addresses: [{ ip: '192.0.2.1', nodeName: 'n1', hostname: 'h1' }], notReadyAddresses: [{ ip: '192.0.2.2' }], ports: [{ name: 'pg', port: 5432 }] }],
      { labels: { app: 'db' }, annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    );
    const plan = planMirror(ep, []);
    expect(plan.update).toEqual([]);
    expect(plan.create).toEqual([
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: 'db-',
          namespace: 'default',
          labels: { app: 'db', 'kubernetes.io/service-name': 'db', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
          annotations: { note: 'x' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: 'db', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }],
        },
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['192.0.2.1'], conditions: { ready: true }, hostname: 'h1', nodeName: 'n1' },
          { addresses: ['192.0.2.2'], conditions: { ready: false } },
        ],
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      },
    ]);
  });

  it('one slice per address type and port set; subsets with the same ports merge', () => {
    const plan = planMirror(
      endpoints([
        { addresses: [{ ip: '192.0.2.1' }, { ip: '2001:db8::1' }], ports: [tcp(80)] },
        { addresses: [{ ip: '192.0.2.2' }], ports: [tcp(80)] },
        { addresses: [{ ip: '192.0.2.3' }], ports: [tcp(81)] },
      ]),
      [],
    );
    expect(plan.create.map((s) => [s.addressType, s.ports!.map((p) => p.port), s.endpoints.map((e) => e.addresses[0])])).toEqual([
      ['IPv4', [80], ['192.0.2.1', '192.0.2.2']],
      ['IPv6', [80], ['2001:db8::1']],
      ['IPv4', [81], ['192.0.2.3']],
    ]);
  });

  it('counts invalid addresses and those over the per-subset cap', () => {
    const many = Array.from({ length: 1002 }, (_, i) => ({ ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    const plan = planMirror(endpoints([{ addresses: [{ ip: 'not-an-ip' }, ...many], ports: [tcp(80)] }]), []);
    expect(plan.invalidAddresses).toBe(1);
    expect(plan.overCapacity).toBe(2);
    expect(plan.create[0]!.endpoints).toHaveLength(1000);
  });

  it('nothing to do when the slice already mirrors the Endpoints', () => {
    const ep = endpoints([{ addresses: [{ ip: '192.0.2.1' }], ports: [tcp(80)] }]);
    expect(planMirror(ep, stored(planMirror(ep, [])))).toEqual({ create: [], update: [], delete: [], invalidAddresses: 0, overCapacity: 0 });
  });

  it('a changed address list rewrites the slice in place; a changed port set reuses it', () => {
    const ep = endpoints([{ addresses: [{ ip: '192.0.2.1' }], ports: [tcp(80)] }]);
    const existing = stored(planMirror(ep, []));
    const more = planMirror(endpoints([{ addresses: [{ ip: '192.0.2.1' }, { ip: '192.0.2.9' }], ports: [tcp(80)] }]), existing);
    expect(more.create).toEqual([]);
    expect(more.update).toHaveLength(1);
    expect(more.update[0]).toMatchObject({ metadata: { name: 'db-gen0', resourceVersion: '10' }, endpoints: [{ addresses: ['192.0.2.1'] }, { addresses: ['192.0.2.9'] }] });
    const moved = planMirror(endpoints([{ addresses: [{ ip: '192.0.2.1' }], ports: [tcp(8080)] }]), existing);
    expect(moved.delete).toEqual([]);
    expect(moved.update[0]).toMatchObject({ metadata: { name: 'db-gen0' }, ports: [tcp(8080)] });
  });

  it('no addresses: the mirrored slices go', () => {
    const ep = endpoints([{ addresses: [{ ip: '192.0.2.1' }], ports: [tcp(80)] }]);
    const existing = stored(planMirror(ep, []));
    expect(planMirror(endpoints([]), existing).delete.map((s) => s.metadata!.name)).toEqual(['db-gen0']);
  });

  it('changed Endpoints labels are carried over', () => {
    const ep = endpoints([{ addresses: [{ ip: '192.0.2.1' }], ports: [tcp(80)] }]);
    const existing = stored(planMirror(ep, []));
    const plan = planMirror(endpoints(ep.subsets, { labels: { tier: 'db' } }), existing);
    expect(plan.update[0]!.metadata!.labels).toMatchObject({ tier: 'db' });
  });
});
