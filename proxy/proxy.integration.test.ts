/**
 * The service proxy end to end: a real `tug server` holds a Service and its EndpointSlice, the
 * proxy watches them and writes real iptables rules (its own chain prefix), and real traffic flows
 * between network namespaces on a tug-bridge network: two "pods" serving HTTP and a client.
 * Checked: load balancing over both pods from a pod and from the host, hairpin, NodePort on a host
 * address, session affinity, an endpoint removed (gone within a second), no endpoints (refused at
 * once), the Service deleted (nothing of it left in iptables-save), the rules removed on stop.
 */
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../control-plane/api/registry.js';
import { ApiClient } from '../control-plane/client/api-client.js';
import { startTugServer, type TugServer } from '../e2e/harness/tug-server.js';
import { waitFor } from '../e2e/harness/wait.js';
import { sh } from '../cni/testing/harness.js';
import { createProxyHost, type ProxyHost } from './host.js';
import { SERVICE_PROXY_NAME_LABEL, startServiceProxy, type ServiceProxy } from './proxy.js';
import { startPodNetwork, type PodNetwork, type TestPod } from './testing/pod-network.js';
import { randomIn, testPrefix, testService, testSlice } from './testing/fixtures.js';

const SERVICES = storageResource('core/services');
const SLICES = storageResource('discovery.k8s.io/endpointslices');
const NS = 'default';
const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';
const prefix = testPrefix();
// A cluster IP and NodePort of our own choosing, unlikely to be another test's.
const clusterIP = `10.111.${randomIn(1, 254)}.${randomIn(2, 254)}`;
const nodePort = randomIn(30000, 32767);

let server: TugServer;
let client: ApiClient;
let podNet: PodNetwork;
let a: TestPod;
let b: TestPod;
let c: TestPod;
let proxy: ServiceProxy | undefined;
let routeLocalnet: string;
let restores = 0;

/** GET http://ip:port/ from the host: the body, or the error code (ECONNREFUSED, TIMEOUT, …). */
function hostGet(ip: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: ip, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** `n` GETs of http://ip:port/ from `pod` (curl): the bodies, or curl's error message. */
async function podGets(pod: TestPod, ip: string, port: number, n: number): Promise<string[]> {
  const script = `for i in $(seq ${n}); do curl -sS -m 2 http://${ip}:${port}/ 2>&1; echo; done`;
  return (await podNet.exec(pod, ['sh', '-c', script])).split('\n').filter(Boolean);
}

const counts = (answers: string[]) => answers.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
const webPorts = [{ name: 'http', port: 80, nodePort }];
// Our objects are for our proxy alone (and our proxy serves nothing else, e.g. default/kubernetes).
const proxyName = `tug-test-${prefix}`;
const labels = { [SERVICE_PROXY_NAME_LABEL]: proxyName };
const sliceOf = (...pods: TestPod[]) => {
  const slice = testSlice(NS, 'web', [{ name: 'http', port: 8080 }], pods.map((p) => ({ ip: p.ip, nodeName: 'node-a' })), 'web-manual');
  return { ...slice, metadata: { ...slice.metadata, labels: { ...slice.metadata!.labels, ...labels } } };
};

/** Rules of our prefix in iptables-save (both tables). */
async function ourRules(): Promise<string[]> {
  const lines = [...(await sh('iptables-save', ['-t', 'nat'])).split('\n'), ...(await sh('iptables-save', ['-t', 'filter'])).split('\n')];
  return lines.filter((l) => l.includes(`${prefix}-`));
}

beforeAll(async () => {
  routeLocalnet = (await readFile(ROUTE_LOCALNET, 'utf8')).trim();
  server = await startTugServer();
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  podNet = await startPodNetwork();
  [a, b, c] = [await podNet.addPod('a'), await podNet.addPod('b'), await podNet.addPod('c')];
  await podNet.serveHttp(a, 8080, 'pod-a');
  await podNet.serveHttp(b, 8080, 'pod-b');
  const web = testService(NS, 'web', clusterIP, webPorts, { type: 'NodePort' });
  await client.create(SERVICES, NS, { ...web, metadata: { ...web.metadata, labels } });
  await client.create(SLICES, NS, sliceOf(a, b));
  const real = createProxyHost();
  const host: ProxyHost = { ...real, iptablesRestore: (input) => (restores++, real.iptablesRestore(input)) };
  proxy = await startServiceProxy({
    client,
    nodeName: 'node-a',
    nodeIPs: [podNet.gateway, '127.0.0.1'],
    clusterCIDR: podNet.subnet,
    prefix,
    serviceProxyName: proxyName,
    host,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
}, 120_000);

afterAll(async () => {
  await proxy?.stop({ removeRules: true });
  client?.close();
  await podNet?.stop();
  await server?.stop();
  if (routeLocalnet !== undefined) await writeFile(ROUTE_LOCALNET, routeLocalnet);
});

describe('service proxy on real iptables and namespaces', () => {
  it('balances over both pods, from a pod and from the host', async () => {
    expect(proxy!.lastSyncMs).toBeGreaterThan(0);
    const fromPod = counts(await podGets(c, clusterIP, 80, 200));
    expect(Object.keys(fromPod).sort()).toEqual(['pod-a', 'pod-b']);
    expect(fromPod['pod-a']).toBeGreaterThan(40); // p = 1/2 each: far from chance below 40 of 200
    const fromHost = counts(await Promise.all(Array.from({ length: 60 }, () => hostGet(clusterIP, 80))));
    expect(Object.keys(fromHost).sort()).toEqual(['pod-a', 'pod-b']);
  });

  it('lets a pod reach itself through its Service (hairpin)', async () => {
    expect(Object.keys(counts(await podGets(a, clusterIP, 80, 60))).sort()).toEqual(['pod-a', 'pod-b']);
  });

  it('answers the NodePort on a host address, from a pod and from the host, and on 127.0.0.1', async () => {
    expect(Object.keys(counts(await podGets(c, podNet.gateway, nodePort, 40))).sort()).toEqual(['pod-a', 'pod-b']);
    for (const ip of [podNet.gateway, '127.0.0.1']) {
      expect(Object.keys(counts(await Promise.all(Array.from({ length: 40 }, () => hostGet(ip, nodePort))))).sort()).toEqual(['pod-a', 'pod-b']);
    }
  });

  it('skips the restore when a change does not change the rules', async () => {
    const before = restores;
    await client.patch(SERVICES, NS, 'web', 'merge', { metadata: { annotations: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 300));
    await proxy!.syncNow();
    expect(restores).toBe(before);
  });

  it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
    const svc = await client.get(SERVICES, NS, 'web');
    await client.update(SERVICES, NS, 'web', { ...svc, spec: { ...svc.spec, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } });
    await waitFor(async () => (await ourRules()).some((l) => l.includes('--rcheck')), 'affinity rules', 5000);
    expect(Object.keys(counts(await podGets(c, clusterIP, 80, 30)))).toHaveLength(1);
    const now = await client.get(SERVICES, NS, 'web');
    await client.update(SERVICES, NS, 'web', { ...now, spec: { ...now.spec, sessionAffinity: 'None', sessionAffinityConfig: undefined } });
    await waitFor(async () => !(await ourRules()).some((l) => l.includes('--rcheck')), 'affinity rules gone', 5000);
  });

  it('sends nothing to a removed endpoint within a second', async () => {
    const slice = await client.get(SLICES, NS, 'web-manual');
    const changed = performance.now();
    await client.update(SLICES, NS, 'web-manual', { ...slice, endpoints: sliceOf(a).endpoints });
    // From the change on, requests from the host until 20 in a row come from pod a.
    let streak = 0;
    while (streak < 20) {
      streak = (await hostGet(clusterIP, 80)) === 'pod-a' ? streak + 1 : 0;
      expect(performance.now() - changed).toBeLessThan(3000);
    }
    const settled = performance.now() - changed;
    expect(settled).toBeLessThan(1000 + 20 * 50);
    expect(counts(await podGets(c, clusterIP, 80, 50))).toEqual({ 'pod-a': 50 });
  });

  it('refuses connections at once when no endpoint is left', async () => {
    await client.delete(SLICES, NS, 'web-manual');
    await waitFor(async () => (await hostGet(clusterIP, 80)) === 'ECONNREFUSED', 'connection refused from the host', 3000);
    const started = performance.now();
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: clusterIP, port: 80 });
      socket.once('connect', () => (socket.destroy(), resolve('connected')));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(performance.now() - started).toBeLessThan(500);
    const fromPod = performance.now();
    // curl's "(7) Couldn't connect to server" after 0 ms: the REJECT's port unreachable, not a timeout (28).
    expect((await podGets(c, clusterIP, 80, 1))[0]).toMatch(/^curl: \(7\)/);
    expect((await podGets(c, podNet.gateway, nodePort, 1))[0]).toMatch(/^curl: \(7\)/);
    expect(performance.now() - fromPod).toBeLessThan(1500);
  });

  it('serves only the Services labelled for it', async () => {
    expect((await ourRules()).join('\n')).not.toContain('default/kubernetes');
  });

  it('leaves nothing of a deleted Service in iptables-save', async () => {
    await client.delete(SERVICES, NS, 'web');
    await waitFor(async () => !(await ourRules()).some((l) => l.includes(`${NS}/web`) || l.includes(clusterIP) || l.includes(`--dport ${nodePort}`)), 'the Service rules gone', 5000);
    expect((await ourRules()).filter((l) => /-(SVC|SVL|EXT|SEP)-/.test(l))).toEqual([]);
  });

  it('removes every rule of its own on stop({ removeRules })', async () => {
    await proxy!.stop({ removeRules: true });
    proxy = undefined;
    expect(await ourRules()).toEqual([]);
  });
});
