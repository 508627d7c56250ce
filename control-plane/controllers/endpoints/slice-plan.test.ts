import { describe, expect, it } from 'vitest';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { node, nodesOf, pod, service, type PodOptions } from './fixtures.test-util.js';
import { planSlices, type SlicePlan } from './slice-plan.js';

const nodes = nodesOf(node('node-a', 'zone-1'), node('node-b'));

/** Gives planned new slices names and resourceVersions, as the API would, so a later plan can start from them. */
function stored(plan: SlicePlan, existing: EndpointSlice[] = []): EndpointSlice[] {
  let n = 0;
  const byName = new Map(existing.map((s) => [s.metadata!.name!, s]));
  for (const s of plan.delete) byName.delete(s.metadata!.name!);
  for (const s of plan.update) byName.set(s.metadata!.name!, { ...s, metadata: { ...s.metadata, resourceVersion: String(Number(s.metadata!.resourceVersion ?? 0) + 1) } });
  for (const s of plan.create) {
    const name = `${s.metadata!.generateName}gen${++n}`;
    byName.set(name, { ...s, metadata: { ...s.metadata, name, resourceVersion: '1' } });
  }
  return [...byName.values()];
}

const plan = (svc: Service, pods: Pod[], existing: EndpointSlice[] = [], maxPerSlice?: number) => planSlices({ service: svc, pods, node: nodes, existing, maxPerSlice });
const onlyEndpoint = (p: SlicePlan) => {
  expect(p.create).toHaveLength(1);
  expect(p.create[0]!.endpoints).toHaveLength(1);
  return p.create[0]!.endpoints[0]!;
};

describe('endpoint of a pod', () => {
  const cases: { name: string; pod: PodOptions; publish?: boolean; want: { ready: boolean; serving: boolean; terminating: boolean } }[] = [
    { name: 'ready pod', pod: {}, want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready pod', pod: { ready: false }, want: { ready: false, serving: false, terminating: false } },
    { name: 'ready pod being deleted', pod: { deleting: true }, want: { ready: false, serving: true, terminating: true } },
    { name: 'not ready pod being deleted', pod: { ready: false, deleting: true }, want: { ready: false, serving: false, terminating: true } },
    { name: 'not ready pod, publishNotReadyAddresses', pod: { ready: false }, publish: true, want: { ready: true, serving: false, terminating: false } },
    { name: 'terminating pod, publishNotReadyAddresses', pod: { deleting: true }, publish: true, want: { ready: true, serving: true, terminating: true } },
  ];
  it.each(cases)('$name', ({ pod: o, publish, want }) => {
    const ep = onlyEndpoint(plan(service('web', { publishNotReadyAddresses: publish }), [pod('p', { ...o, ip: '10.244.1.5' })]));
    expect(ep).toEqual({
      addresses: ['10.244.1.5'],
      conditions: want,
      nodeName: 'node-a',
      zone: 'zone-1',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'p', uid: 'uid-p' },
    });
  });

  it.each([
    { name: 'no pod IP', pod: pod('p', { ip: null }) },
    { name: 'Succeeded', pod: pod('p', { phase: 'Succeeded' }) },
    { name: 'Failed', pod: pod('p', { phase: 'Failed', ready: false }) },
  ])('a pod with $name is not listed (placeholder slice only)', ({ pod: p }) => {
    const out = plan(service('web'), [p]);
    expect(out.create).toHaveLength(1);
    expect(out.create[0]).toMatchObject({ endpoints: [], ports: [] });
  });

  it('a node without zone label gives no zone; hostname only when the subdomain names the Service', () => {
    const out = plan(service('web'), [pod('a', { node: 'node-b', hostname: 'a', subdomain: 'web' }), pod('b', { hostname: 'b', subdomain: 'other' })]);
    const [a, b] = out.create[0]!.endpoints;
    expect(a).toMatchObject({ nodeName: 'node-b', hostname: 'a' });
    expect(a!.zone).toBeUndefined();
    expect(b!.hostname).toBeUndefined();
  });

  it('pods on a missing node are skipped and reported, unless publishNotReadyAddresses', () => {
    const p = pod('lost', { node: 'gone' });
    const out = plan(service('web'), [p, pod('ok')]);
    expect(out.skippedPods).toEqual(['default/lost']);
    expect(out.create[0]!.endpoints.map((e) => e.targetRef!.name)).toEqual(['ok']);
    const published = plan(service('web', { publishNotReadyAddresses: true }), [p]);
    expect(published.skippedPods).toEqual([]);
    expect(published.create[0]!.endpoints[0]).toMatchObject({ nodeName: 'gone', conditions: { ready: true } });
  });
});

describe('slice metadata and ports', () => {
  it('a new slice: generateName, labels, owner, IPv4, ports from the Service', () => {
    const svc = service('web', { labels: { team: 'a', 'kubernetes.io/service-name': 'spoof' } });
    const [slice] = plan(svc, [pod('a')]).create;
    expect(slice!.metadata).toEqual({
      generateName: 'web-',
      namespace: 'default',
      labels: { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid-web', controller: true, blockOwnerDeletion: true }],
    });
    expect(slice).toMatchObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
  });

  it('a headless Service carries the headless label', () => {
    const [slice] = plan(service('db', { clusterIP: 'None', ports: [] }), [pod('a')]).create;
    expect(slice!.metadata!.labels).toMatchObject({ 'service.kubernetes.io/headless': '' });
    expect(slice!.ports).toEqual([]);
  });

  it('named targetPorts resolve per pod: one slice per distinct port set; a pod without the name serves none of it', () => {
    const svc = service('web', {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
        { name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 9100, appProtocol: 'http' },
      ],
    });
    const pods = [
      pod('a', { ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', { ports: [{ name: 'web', containerPort: 9090 }] }),
      pod('c', { ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] }),
      pod('d', { ports: [{ name: 'web', containerPort: 8080 }] }),
    ];
    const slices = plan(svc, pods).create.map((s) => ({ ports: s.ports, pods: s.endpoints.map((e) => e.targetRef!.name) }));
    const metrics = { name: 'metrics', port: 9100, protocol: 'TCP', appProtocol: 'http' };
    expect(slices).toEqual([
      { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, metrics], pods: ['a', 'd'] },
      { ports: [{ name: 'http', port: 9090, protocol: 'TCP' }, metrics], pods: ['b'] },
      { ports: [metrics], pods: ['c'] },
    ]);
  });

  it('a named port is also found on a restartable init container (sidecar)', () => {
    const svc = service('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'side' }] });
    const p = pod('a');
    p.spec!.initContainers = [{ name: 'sidecar', image: 'i', restartPolicy: 'Always', ports: [{ name: 'side', containerPort: 7070 }] }];
    expect(plan(svc, [p]).create[0]!.ports).toEqual([{ name: 'http', port: 7070, protocol: 'TCP' }]);
  });
});

describe('slice sizes and churn', () => {
  const svc = service('web');
  const many = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => pod(`${prefix}${String(i).padStart(3, '0')}`, { ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 2}` }));

  it.each([
    { pods: 1, sizes: [1] },
    { pods: 100, sizes: [100] },
    { pods: 101, sizes: [100, 1] },
    { pods: 250, sizes: [100, 100, 50] },
  ])('$pods endpoints make slices of $sizes', ({ pods, sizes }) => {
    const out = plan(svc, many(pods));
    expect(out.create.map((s) => s.endpoints.length)).toEqual(sizes);
    const names = out.create.flatMap((s) => s.endpoints.map((e) => e.targetRef!.name));
    expect(new Set(names).size).toBe(pods);
  });

  it('the limit is configurable', () => {
    expect(plan(svc, many(5), [], 2).create.map((s) => s.endpoints.length)).toEqual([2, 2, 1]);
  });

  it('an unchanged world plans nothing', () => {
    const pods = many(150);
    const existing = stored(plan(svc, pods));
    expect(plan(svc, pods, existing)).toEqual({ create: [], update: [], delete: [], skippedPods: [] });
  });

  it('a readiness change rewrites only the slice holding that pod', () => {
    const pods = many(150);
    const existing = stored(plan(svc, pods));
    pods[120] = pod('p120', { ip: pods[120]!.status!.podIP!, ready: false });
    const out = plan(svc, pods, existing);
    expect(out.create).toEqual([]);
    expect(out.delete).toEqual([]);
    expect(out.update).toHaveLength(1);
    const updated = out.update[0]!;
    const before = existing.find((s) => s.metadata!.name === updated.metadata!.name)!;
    expect(updated.metadata!.resourceVersion).toBe(before.metadata!.resourceVersion);
    expect(updated.endpoints.map((e) => e.targetRef!.name)).toEqual(before.endpoints.map((e) => e.targetRef!.name));
    expect(updated.endpoints.find((e) => e.targetRef!.name === 'p120')!.conditions).toEqual({ ready: false, serving: false, terminating: false });
  });

  it('a new pod goes into the existing slice it fits best, without a new slice', () => {
    const pods = many(150);
    const existing = stored(plan(svc, pods));
    const out = plan(svc, [...pods, pod('new', { ip: '10.244.9.9' })], existing);
    expect(out.create).toEqual([]);
    expect(out.update).toHaveLength(1);
    expect(out.update[0]!.endpoints).toHaveLength(51);
    expect(out.update[0]!.endpoints.at(-1)!.targetRef!.name).toBe('new');
  });

  it('new pods first fill a slice that is rewritten anyway', () => {
    const pods = many(150);
    const existing = stored(plan(svc, pods));
    const full = existing.find((s) => s.endpoints.length === 100)!;
    const gone = full.endpoints[0]!.targetRef!.name;
    const next = [...pods.filter((p) => p.metadata!.name !== gone), pod('new', { ip: '10.244.9.9' })];
    const out = plan(svc, next, existing);
    expect(out.update.map((s) => s.metadata!.name)).toEqual([full.metadata!.name]);
    expect(out.update[0]!.endpoints.map((e) => e.targetRef!.name)).toContain('new');
  });

  it('a pod that goes is removed; an emptied slice is deleted', () => {
    const pods = many(101);
    const existing = stored(plan(svc, pods));
    const single = existing.find((s) => s.endpoints.length === 1)!;
    const out = plan(
      svc,
      pods.filter((p) => p.metadata!.name !== single.endpoints[0]!.targetRef!.name),
      existing,
    );
    expect(out.delete.map((s) => s.metadata!.name)).toEqual([single.metadata!.name]);
    expect(out.update).toEqual([]);
  });

  it('changed Service labels are written to every slice', () => {
    const pods = many(3);
    const existing = stored(plan(svc, pods));
    const out = plan(service('web', { labels: { tier: 'front' } }), pods, existing);
    expect(out.update).toHaveLength(1);
    expect(out.update[0]!.metadata!.labels).toMatchObject({ tier: 'front', 'kubernetes.io/service-name': 'web' });
  });
});

describe('placeholder and ownership', () => {
  const svc = service('web');

  it('a Service without endpoints gets one empty placeholder slice, kept as is afterwards', () => {
    const first = plan(svc, []);
    expect(first.create).toHaveLength(1);
    expect(first.create[0]).toMatchObject({ endpoints: [], ports: [] });
    expect(plan(svc, [], stored(first))).toEqual({ create: [], update: [], delete: [], skippedPods: [] });
  });

  it('when the last pod goes, its slice becomes the placeholder by an update, not delete + create', () => {
    const existing = stored(plan(svc, [pod('a')]));
    const out = plan(svc, [], existing);
    expect(out.delete).toEqual([]);
    expect(out.create).toEqual([]);
    expect(out.update).toHaveLength(1);
    expect(out.update[0]).toMatchObject({ metadata: { name: existing[0]!.metadata!.name, resourceVersion: existing[0]!.metadata!.resourceVersion }, endpoints: [], ports: [] });
    expect(out.update[0]!.metadata!.generateName).toBeUndefined();
  });

  it('a port change moves endpoints by reusing the old slice', () => {
    const existing = stored(plan(svc, [pod('a')]));
    const out = plan(service('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9999 }] }), [pod('a')], existing);
    expect(out.create).toEqual([]);
    expect(out.delete).toEqual([]);
    expect(out.update[0]).toMatchObject({ metadata: { name: existing[0]!.metadata!.name }, ports: [{ port: 9999 }] });
  });

  it("slices of an earlier Service of the same name (another uid) are deleted, never reused", () => {
    const old = stored(plan(service('web', { uid: 'old-uid' }), [pod('a')]));
    const out = plan(svc, [pod('a')], old);
    expect(out.delete.map((s) => s.metadata!.name)).toEqual([old[0]!.metadata!.name]);
    expect(out.create).toHaveLength(1);
    expect(out.update).toEqual([]);
  });
});
