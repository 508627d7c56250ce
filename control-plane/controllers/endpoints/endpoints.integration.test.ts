/**
 * The endpoint controllers against a real `tug server` (its own controllers limited to namespace
 * and nodeipam, so only the ones under test act), run in-process: EndpointSlices and Endpoints
 * follow pod readiness within a second, named ports resolve per pod, terminating pods, a deleted
 * Service's slices go; hand-written Endpoints of a Service without selector mirrored into slices;
 * the `kubernetes` Service and its endpoints; LoadBalancer addresses from a pool. Real kubectl 1.33 lists and describes the results.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../api/registry.js';
import { ApiClient, isNotFound } from '../../client/api-client.js';
import type { ControllerHandle } from '../../client/controller.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import { waitFor } from '../../../e2e/harness/wait.js';
import type { ControllerContext } from '../context.js';
import { startEndpointsController } from './endpoints-controller.js';
import { startEndpointSliceController } from './endpointslice-controller.js';
import { startEndpointSliceMirroringController } from './endpointslice-mirroring-controller.js';
import { startKubernetesServiceReconciler } from './kubernetes-service-reconciler.js';
import { startServiceLoadBalancerController } from './service-load-balancer-controller.js';

const nodesDef = storageResource('core/nodes');
const podsDef = storageResource('core/pods');
const servicesDef = storageResource('core/services');
const endpointsDef = storageResource('core/endpoints');
const slicesDef = storageResource('discovery.k8s.io/endpointslices');
const eventsDef = storageResource('core/events');

const NS = 'default';
const API_ADDRESS = '192.0.2.10';

let server: TugServer;
let client: ApiClient;
let informers: InformerFactory;
const handles: ControllerHandle[] = [];

beforeAll(async () => {
  // The server announces the same address as the reconciler under test, so both keep one lease.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam', '--advertise-address', API_ADDRESS] });
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  informers = new InformerFactory(client, logger);
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client,
    informers,
    logger,
    recorder: (component) => {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, logger)));
      return r;
    },
  };
  handles.push(
    startEndpointSliceController(ctx),
    startEndpointsController(ctx),
    startEndpointSliceMirroringController(ctx),
    startServiceLoadBalancerController(ctx, { pool: '172.30.255.200-172.30.255.201' }),
    startKubernetesServiceReconciler(ctx, { advertiseAddress: API_ADDRESS, port: server.port, intervalMs: 200, leaseDurationSeconds: 2 }),
  );
  informers.start();
  await informers.waitForSync();
  for (const [name, zone] of [
    ['node-a', 'zone-1'],
    ['node-b', 'zone-2'],
  ]) {
    await client.create(nodesDef, undefined, { metadata: { name, labels: { 'topology.kubernetes.io/zone': zone! } } });
  }
}, 120_000);

afterAll(async () => {
  for (const h of handles) await h.stop();
  informers?.stop();
  client?.close();
  await server?.stop();
}, 60_000);

async function getOrUndefined(def: any, name: string): Promise<any> {
  try {
    return await client.get(def, NS, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function slicesOf(svc: string): Promise<any[]> {
  return (await client.list(slicesDef, NS, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

async function createPod(name: string, o: { app: string; ip: string; ready: boolean; node?: string; ports?: any[] }): Promise<void> {
  await client.create(podsDef, NS, {
    metadata: { name, labels: { app: o.app } },
    spec: { nodeName: o.node ?? 'node-a', containers: [{ name: 'c', image: 'tugboat/busybox:test', ports: o.ports }] },
  });
  await setPodStatus(name, o.ip, o.ready);
}

async function setPodStatus(name: string, ip: string, ready: boolean): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const status = ready ? 'True' : 'False';
  await client.patch(
    podsDef,
    NS,
    name,
    'merge',
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [
          { type: 'Ready', status, lastTransitionTime: now },
          { type: 'ContainersReady', status, lastTransitionTime: now },
        ],
      },
    },
    { subresource: 'status' },
  );
}

/** Endpoints of all slices of a Service, by pod name. */
async function sliceEndpoints(svc: string): Promise<Map<string, any>> {
  return new Map((await slicesOf(svc)).flatMap((s) => (s.endpoints ?? []).map((e: any) => [e.targetRef.name, { ...e, ports: s.ports }])));
}

/** Polls every 20 ms; the time it took, failing after `timeoutMs`. */
async function timed(cond: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('EndpointSlices and Endpoints of a Service with a selector', () => {
  beforeAll(async () => {
    await client.create(servicesDef, NS, {
      metadata: { name: 'web', labels: { team: 'blue' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await createPod('web-1', { app: 'web', ip: '10.244.0.11', ready: true, ports: [{ name: 'http', containerPort: 8080 }] });
    await createPod('web-2', { app: 'web', ip: '10.244.1.12', ready: true, node: 'node-b', ports: [{ name: 'http', containerPort: 8080 }] });
    await createPod('web-3', { app: 'web', ip: '10.244.0.13', ready: true, ports: [{ name: 'http', containerPort: 9090 }] });
    await createPod('other', { app: 'other', ip: '10.244.0.99', ready: true });
  }, 30_000);

  it('lists the selected pods with their conditions, node, zone and resolved ports', async () => {
    await waitFor(async () => (await sliceEndpoints('web')).size === 3, 'three endpoints');
    const eps = await sliceEndpoints('web');
    expect(eps.get('web-1')).toMatchObject({
      addresses: ['10.244.0.11'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'node-a',
      zone: 'zone-1',
      targetRef: { kind: 'Pod', namespace: NS, name: 'web-1' },
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    expect(eps.get('web-2')).toMatchObject({ zone: 'zone-2', ports: [{ port: 8080 }] });
    expect(eps.get('web-3')!.ports).toEqual([{ name: 'http', port: 9090, protocol: 'TCP' }]);
    const slices = await slicesOf('web');
    expect(slices).toHaveLength(2);
    const svc = await client.get(servicesDef, NS, 'web');
    for (const s of slices) {
      expect(s.metadata.name).toMatch(/^web-/);
      expect(s.metadata.labels).toEqual({ team: 'blue', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
      expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(s.addressType).toBe('IPv4');
    }
    const ep = await client.get(endpointsDef, NS, 'web');
    expect(ep.metadata.labels).toEqual({ team: 'blue' });
    expect(ep.subsets).toEqual([
      { addresses: [expect.objectContaining({ ip: '10.244.0.11', nodeName: 'node-a' }), expect.objectContaining({ ip: '10.244.1.12', nodeName: 'node-b' })], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { addresses: [expect.objectContaining({ ip: '10.244.0.13', targetRef: expect.objectContaining({ name: 'web-3' }) })], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
    ]);
  });

  it('follows a readiness change within a second, both ways', async () => {
    await waitFor(async () => (await sliceEndpoints('web')).get('web-1')?.conditions.ready === true, 'web-1 ready');
    const names = async () => (await slicesOf('web')).map((sl) => sl.metadata.name).sort();
    const before = await names();
    await setPodStatus('web-1', '10.244.0.11', false);
    const sliceMs = await timed(async () => (await sliceEndpoints('web')).get('web-1')?.conditions.ready === false, 'slice shows web-1 not ready');
    const endpointsMs = await timed(async () => {
      const ep = await client.get(endpointsDef, NS, 'web');
      return ep.subsets.some((s: any) => (s.notReadyAddresses ?? []).some((a: any) => a.ip === '10.244.0.11'));
    }, 'Endpoints list web-1 as not ready');
    expect(sliceMs).toBeLessThan(1000);
    expect(endpointsMs).toBeLessThan(1000);
    expect((await sliceEndpoints('web')).get('web-1')!.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(await names()).toEqual(before);

    await setPodStatus('web-1', '10.244.0.11', true);
    expect(await timed(async () => (await sliceEndpoints('web')).get('web-1')?.conditions.ready === true, 'web-1 ready again')).toBeLessThan(1000);
  });

  it('writes nothing when nothing that matters changed', async () => {
    const versions = async () => [(await client.get(endpointsDef, NS, 'web')).metadata.resourceVersion, ...(await slicesOf('web')).map((sl) => sl.metadata.resourceVersion).sort()];
    await new Promise((r) => setTimeout(r, 300));
    const before = await versions();
    await client.patch(podsDef, NS, 'web-1', 'merge', { metadata: { annotations: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 500));
    expect(await versions()).toEqual(before);
  });

  it('a terminating pod stays in the slice as serving but not ready, and leaves the Endpoints', async () => {
    await client.delete(podsDef, NS, 'web-2', { gracePeriodSeconds: 30 });
    await waitFor(async () => (await sliceEndpoints('web')).get('web-2')?.conditions.terminating === true, 'web-2 terminating');
    expect((await sliceEndpoints('web')).get('web-2')!.conditions).toEqual({ ready: false, serving: true, terminating: true });
    await waitFor(async () => {
      const ep = await client.get(endpointsDef, NS, 'web');
      return !JSON.stringify(ep.subsets).includes('10.244.1.12');
    }, 'web-2 gone from the Endpoints');
    await client.delete(podsDef, NS, 'web-2', { gracePeriodSeconds: 0 });
    await waitFor(async () => !(await sliceEndpoints('web')).has('web-2'), 'web-2 gone from the slices');
  });

  it('real kubectl lists the slices and describes the Service with its endpoints', async () => {
    await waitFor(async () => (await sliceEndpoints('web')).get('web-1')?.conditions.ready === true, 'web-1 ready');
    const list = await kubectlOk(server.kubeconfig, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
    expect(list).toMatch(/NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/);
    expect(list).toMatch(/web-\S+\s+IPv4\s+8080\s+10\.244\.0\.11/);
    expect(list).toMatch(/web-\S+\s+IPv4\s+9090\s+10\.244\.0\.13/);
    const describe = await kubectlOk(server.kubeconfig, ['describe', 'svc', 'web']);
    expect(describe).toMatch(/Endpoints:\s+\S*10\.244\.0\.11:8080/);
    expect(describe).toMatch(/Endpoints:.*10\.244\.0\.13:9090/s);
    const eps = await kubectlOk(server.kubeconfig, ['get', 'endpoints', 'web']);
    expect(eps).toMatch(/web\s+\S*10\.244\.0\.11:8080/);
    expect(eps).toContain('10.244.0.13:9090');
  });

  it('a Service without pods keeps one empty slice and no addresses', async () => {
    await client.create(servicesDef, NS, { metadata: { name: 'empty' }, spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] } });
    await waitFor(async () => (await slicesOf('empty')).length === 1 && (await getOrUndefined(endpointsDef, 'empty')) !== undefined, 'placeholder slice and Endpoints');
    expect((await slicesOf('empty'))[0]).toMatchObject({ endpoints: [], ports: [] });
    expect((await client.get(endpointsDef, NS, 'empty')).subsets ?? []).toEqual([]);
  });

  it('a Service without a selector gets no managed slices or Endpoints', async () => {
    await client.create(servicesDef, NS, { metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
    await new Promise((r) => setTimeout(r, 500));
    expect(await slicesOf('manual')).toEqual([]);
    expect(await getOrUndefined(endpointsDef, 'manual')).toBeUndefined();
  });

  it('a deleted Service takes its slices and Endpoints with it', async () => {
    await client.create(servicesDef, NS, { metadata: { name: 'gone' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await waitFor(async () => (await slicesOf('gone')).length > 0 && (await getOrUndefined(endpointsDef, 'gone')) !== undefined, 'slices and Endpoints of gone');
    await client.delete(servicesDef, NS, 'gone');
    await waitFor(async () => (await slicesOf('gone')).length === 0 && (await getOrUndefined(endpointsDef, 'gone')) === undefined, 'slices and Endpoints deleted', 5000);
  });
});

describe('hand-written Endpoints of a Service without selector', () => {
  const managedBy = async (svc: string) => (await slicesOf(svc)).map((s) => s.metadata.labels['endpointslice.kubernetes.io/managed-by']);

  it('are mirrored into an EndpointSlice that follows them, until the Service gets a selector', async () => {
    await client.create(servicesDef, NS, { metadata: { name: 'external' }, spec: { ports: [{ name: 'pg', port: 5432 }] } });
    await client.create(endpointsDef, NS, { metadata: { name: 'external' }, subsets: [{ addresses: [{ ip: '192.0.2.50' }], ports: [{ name: 'pg', port: 5432 }] }] });
    await waitFor(async () => (await slicesOf('external')).length === 1, 'mirrored slice');
    const [slice] = await slicesOf('external');
    expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslicemirroring-controller.k8s.io');
    expect(slice.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Endpoints', name: 'external' })]);
    expect(slice.endpoints).toEqual([{ addresses: ['192.0.2.50'], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }]);

    const ep = await client.get(endpointsDef, NS, 'external');
    await client.update(endpointsDef, NS, 'external', { ...ep, subsets: [{ addresses: [{ ip: '192.0.2.50' }, { ip: '192.0.2.51' }], ports: [{ name: 'pg', port: 5432 }] }] });
    await waitFor(async () => (await slicesOf('external'))[0]?.endpoints?.length === 2, 'mirrored slice follows the Endpoints');
    expect((await slicesOf('external'))[0].metadata.name).toBe(slice.metadata.name);

    await client.patch(servicesDef, NS, 'external', 'merge', { spec: { selector: { app: 'web' } } });
    await waitFor(async () => !(await managedBy('external')).includes('endpointslicemirroring-controller.k8s.io'), 'mirrored slice removed');
    await waitFor(async () => (await managedBy('external')).includes('endpointslice-controller.k8s.io'), 'managed slices instead');
  });

  it('the kubernetes Endpoints are not mirrored', async () => {
    await waitFor(async () => (await slicesOf('kubernetes')).length > 0, 'kubernetes slice');
    await new Promise((r) => setTimeout(r, 300));
    expect(await managedBy('kubernetes')).toEqual([undefined]);
  });
});

describe('the kubernetes Service', () => {
  it('exists on 10.96.0.1 with https 443 → the API port, and its endpoints name this server', async () => {
    await waitFor(async () => (await slicesOf('kubernetes')).length === 1, 'kubernetes slice');
    const svc = await client.get(servicesDef, NS, 'kubernetes');
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({ clusterIP: '10.96.0.1', type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }] });
    expect(svc.spec.selector).toBeUndefined();
    const ep = await client.get(endpointsDef, NS, 'kubernetes');
    expect(ep.subsets).toEqual([{ addresses: [{ ip: API_ADDRESS }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] }]);
    const [slice] = await slicesOf('kubernetes');
    expect(slice.metadata.name).toBe('kubernetes');
    expect(slice.endpoints).toEqual([{ addresses: [API_ADDRESS], conditions: { ready: true } }]);
    const describe = await kubectlOk(server.kubeconfig, ['describe', 'svc', 'kubernetes']);
    expect(describe).toMatch(new RegExp(`Endpoints:\\s+${API_ADDRESS.replace(/\./g, '\\.')}:${server.port}`));
  });

  it('a second server adds itself, and leaves at once when stopped', async () => {
    const second = startKubernetesServiceReconciler({ client, logger: pino({ level: 'silent' }) }, { advertiseAddress: '192.0.2.11', port: server.port, intervalMs: 200, leaseDurationSeconds: 2 });
    const ips = async () => ((await client.get(endpointsDef, NS, 'kubernetes')).subsets?.[0]?.addresses ?? []).map((a: any) => a.ip);
    await waitFor(async () => (await ips()).length === 2, 'two API servers');
    expect(await ips()).toEqual([API_ADDRESS, '192.0.2.11']);
    expect((await slicesOf('kubernetes'))[0].endpoints.map((e: any) => e.addresses[0])).toEqual([API_ADDRESS, '192.0.2.11']);
    await second.stop();
    expect(await ips()).toEqual([API_ADDRESS]);
  });

  it('a server that stops renewing drops out after its lease expires', async () => {
    const quiet = startKubernetesServiceReconciler({ client, logger: pino({ level: 'silent' }) }, { advertiseAddress: '192.0.2.12', port: server.port, intervalMs: 60_000, leaseDurationSeconds: 1 });
    const ips = async () => ((await client.get(endpointsDef, NS, 'kubernetes')).subsets?.[0]?.addresses ?? []).map((a: any) => a.ip);
    await waitFor(async () => (await ips()).includes('192.0.2.12'), 'third server listed');
    await waitFor(async () => !(await ips()).includes('192.0.2.12'), 'third server expired', 5000);
    await quiet.stop();
  });

  it('a deleted kubernetes Service comes back', async () => {
    await client.delete(servicesDef, NS, 'kubernetes');
    await waitFor(async () => (await getOrUndefined(servicesDef, 'kubernetes'))?.spec?.clusterIP === '10.96.0.1', 'kubernetes Service recreated');
  });
});

describe('LoadBalancer Services', () => {
  const ingressOf = async (name: string) => (await client.get(servicesDef, NS, name)).status?.loadBalancer?.ingress;
  const lb = (name: string, extra: object = {}) => client.create(servicesDef, NS, { metadata: { name }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...extra } });
  const reasons = async (name: string) => (await client.list(eventsDef, NS, { fieldSelector: `involvedObject.name=${name}` })).items.map((e: any) => e.reason);

  it('get addresses from the pool, one each; the third waits and gets the one given back on delete', async () => {
    await lb('lb-a');
    await waitFor(async () => (await ingressOf('lb-a'))?.length === 1, 'lb-a address');
    expect(await ingressOf('lb-a')).toEqual([{ ip: '172.30.255.200', ipMode: 'VIP' }]);
    await lb('lb-b');
    await waitFor(async () => (await ingressOf('lb-b'))?.length === 1, 'lb-b address');
    expect(await ingressOf('lb-b')).toEqual([{ ip: '172.30.255.201', ipMode: 'VIP' }]);
    await lb('lb-c');
    await waitFor(async () => (await reasons('lb-c')).includes('SyncLoadBalancerFailed'), 'lb-c failure event');
    expect(await ingressOf('lb-c')).toBeUndefined();
    await waitFor(async () => (await reasons('lb-a')).includes('EnsuredLoadBalancer'), 'lb-a events');
    expect(await reasons('lb-a')).toEqual(expect.arrayContaining(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']));
    const svc = await kubectlOk(server.kubeconfig, ['get', 'svc', 'lb-a']);
    expect(svc).toMatch(/lb-a\s+LoadBalancer\s+10\.\S+\s+172\.30\.255\.200\s+80:3\d{4}\/TCP/);

    await client.delete(servicesDef, NS, 'lb-a');
    await waitFor(async () => (await ingressOf('lb-c'))?.[0]?.ip === '172.30.255.200', 'lb-c gets the freed address', 5000);
  });

  it('changing the type away from LoadBalancer gives the address back', async () => {
    // The LoadBalancer-only fields go with the type (upstream's API server would drop them itself).
    await client.patch(servicesDef, NS, 'lb-b', 'merge', { spec: { type: 'ClusterIP', allocateLoadBalancerNodePorts: null, externalTrafficPolicy: null } });
    await waitFor(async () => (await ingressOf('lb-b')) === undefined, 'lb-b address cleared');
    await waitFor(async () => (await reasons('lb-b')).includes('DeletedLoadBalancer'), 'lb-b events');
    expect(await reasons('lb-b')).toEqual(expect.arrayContaining(['Type', 'DeletingLoadBalancer', 'DeletedLoadBalancer']));
  });

  it('spec.loadBalancerIP is honoured when free', async () => {
    await lb('lb-d', { loadBalancerIP: '172.30.255.201' });
    await waitFor(async () => (await ingressOf('lb-d'))?.[0]?.ip === '172.30.255.201', 'lb-d gets its requested address');
  });
});
