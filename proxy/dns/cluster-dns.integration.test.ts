/**
 * Cluster DNS against a real API server (only the namespace and node-ipam controllers run, so the
 * Services and EndpointSlices are exactly the ones written here), queried over real sockets by
 * Node's resolver (c-ares: UDP, and TCP after a truncated answer) and by busybox nslookup in a
 * container on the host network. Names outside the zone go to a fake upstream on loopback;
 * nothing here asks a real resolver.
 */
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageResource } from '../../control-plane/api/registry.js';
import { ApiClient } from '../../control-plane/client/api-client.js';
import { startTugServer, type TugServer } from '../../e2e/harness/tug-server.js';
import { waitFor } from '../../e2e/harness/wait.js';
import { startClusterDNS, type ClusterDNS } from './index.js';
import { TYPE } from './message.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';

const NAMESPACES = storageResource('core/namespaces');
const SERVICES = storageResource('core/services');
const SLICES = storageResource('discovery.k8s.io/endpointslices');
const NS = 'dns-test';
const ZONE = 'cluster.local';
const fqdn = (name: string) => `${name}.${NS}.svc.${ZONE}`;

let server: TugServer | undefined;
let client: ApiClient | undefined;
let upstream: FakeUpstream | undefined;
let dns: ClusterDNS | undefined;
let resolver: Resolver;
let dnsPort: number;
let webIP: string;

function endpointSlice(service: string, name: string, endpoints: { ip: string; hostname?: string; ready?: boolean }[], ports: { name: string; port: number }[] = []): any {
  return {
    metadata: { name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}), conditions: { ready: e.ready ?? true } })),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
  };
}

/** The rejection code of a lookup that must fail (ENOTFOUND: NXDOMAIN, ENODATA: NODATA, ESERVFAIL). */
async function failure(lookup: Promise<unknown>): Promise<string> {
  try {
    await lookup;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
  throw new Error('the lookup succeeded');
}

beforeAll(async () => {
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  await client.create(NAMESPACES, undefined, { metadata: { name: NS } });
  const web = await client.create<any>(SERVICES, NS, { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  webIP = web.spec.clusterIP;
  await client.create(SERVICES, NS, { metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } });
  await client.create(
    SLICES,
    NS,
    endpointSlice(
      'db',
      'db-abcde',
      [
        { ip: '10.244.1.10', hostname: 'db-0' },
        { ip: '10.244.2.11', hostname: 'db-1' },
        { ip: '10.244.2.12', hostname: 'db-2', ready: false },
      ],
      [{ name: 'pg', port: 5432 }],
    ),
  );
  await client.create(SERVICES, NS, { metadata: { name: 'big' }, spec: { clusterIP: 'None', selector: { app: 'big' } } });
  await client.create(
    SLICES,
    NS,
    endpointSlice(
      'big',
      'big-1',
      Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.3.${i + 1}` })),
    ),
  );
  await client.create(SERVICES, NS, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'www.example.com' } });

  upstream = await startFakeUpstream();
  upstream.add('www.example.com', { type: TYPE.A, address: '192.0.2.10' });
  upstream.add('outside.example.org', { type: TYPE.A, address: '198.51.100.7' });
  dns = await startClusterDNS({ client, listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [upstream.address], upstreamTimeoutMs: 300, logger: pino({ level: 'silent' }) });
  await dns.waitForSync();
  dnsPort = dns.addresses[0]!.port;
  resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
});

afterAll(async () => {
  await dns?.stop();
  await upstream?.stop();
  client?.close();
  await server?.stop();
});

describe('cluster DNS', () => {
  it('answers a ClusterIP Service with its allocated IP and TTL 5', async () => {
    expect(webIP).toMatch(/^10\.9[6-9]|^10\.1[01]\d\./);
    expect(await resolver.resolve4(fqdn('web'), { ttl: true })).toEqual([{ address: webIP, ttl: 5 }]);
    expect(await resolver.resolve4(fqdn('web').toUpperCase())).toEqual([webIP]);
  });

  it('answers a headless Service with its ready endpoints and StatefulSet pods by hostname', async () => {
    expect((await resolver.resolve4(fqdn('db'))).sort()).toEqual(['10.244.1.10', '10.244.2.11']);
    expect(await resolver.resolve4(`db-1.${fqdn('db')}`)).toEqual(['10.244.2.11']);
    expect(await failure(resolver.resolve4(`db-2.${fqdn('db')}`))).toBe('ENOTFOUND');
  });

  it('answers SRV records for named ports', async () => {
    expect(await resolver.resolveSrv(`_http._tcp.${fqdn('web')}`)).toEqual([{ name: fqdn('web'), port: 80, priority: 0, weight: 100 }]);
    const pods = await resolver.resolveSrv(`_pg._tcp.${fqdn('db')}`);
    expect(pods.map((s) => `${s.name}:${s.port}`).sort()).toEqual([`db-0.${fqdn('db')}:5432`, `db-1.${fqdn('db')}:5432`]);
  });

  it('answers an ExternalName Service with a CNAME, resolved through the upstream', async () => {
    expect(await resolver.resolveCname(fqdn('ext'))).toEqual(['www.example.com']);
    expect(await resolver.resolve4(fqdn('ext'))).toEqual(['192.0.2.10']);
  });

  it('answers NXDOMAIN for unknown names and NODATA for AAAA of IPv4 Services', async () => {
    expect(await failure(resolver.resolve4(fqdn('nope')))).toBe('ENOTFOUND');
    // Search-path expansion is the client's: the server takes every name as fully qualified.
    expect(await failure(resolver.resolve4(`web.${NS}.svc.${ZONE}.${NS}.svc.${ZONE}`))).toBe('ENOTFOUND');
    expect(await failure(resolver.resolve4(`web.${NS}`))).toBe('ENOTFOUND');
    expect(await failure(resolver.resolve6(fqdn('web')))).toBe('ENODATA');
  });

  it('serves a large headless answer over TCP after truncating it over UDP', async () => {
    const all = await resolver.resolve4(fqdn('big'));
    expect(all).toHaveLength(100);
  });

  it('answers PTR for a cluster IP', async () => {
    expect(await resolver.reverse(webIP)).toEqual([fqdn('web')]);
  });

  it('forwards other names to the upstream and answers SERVFAIL when it is silent', async () => {
    expect(await resolver.resolve4('outside.example.org')).toEqual(['198.51.100.7']);
    expect(upstream!.seen).toContain(`outside.example.org ${TYPE.A} udp`);
    expect(await failure(resolver.resolve4('unknown.example.org'))).toBe('ENOTFOUND');
    upstream!.silent = true;
    try {
      expect(await failure(resolver.resolve4('silent.example.org'))).toBe('ESERVFAIL');
    } finally {
      upstream!.silent = false;
    }
  });

  it('follows Services and EndpointSlices as they change', async () => {
    await client!.create(SERVICES, NS, { metadata: { name: 'late' }, spec: { ports: [{ port: 81 }] } });
    await waitFor(async () => (await resolver.resolve4(fqdn('late')).catch(() => [])).length === 1, 'late resolves', 5000);
    await client!.delete(SERVICES, NS, 'late');
    await waitFor(async () => (await failure(resolver.resolve4(fqdn('late')))) === 'ENOTFOUND', 'late is gone', 5000);

    const slice = await client!.get(SLICES, NS, 'db-abcde');
    slice.endpoints[2].conditions.ready = true;
    await client!.update(SLICES, NS, 'db-abcde', slice);
    await waitFor(async () => (await resolver.resolve4(fqdn('db'))).length === 3, 'db-2 ready', 5000);
  });

  it('answers busybox nslookup in a container', async () => {
    const nslookup = async (...args: string[]) => {
      const cmd = ['run', '--rm', '--network', 'host', 'tugboat/busybox:test', 'nslookup', ...args, `127.0.0.1:${dnsPort}`];
      const { stdout } = await promisify(execFile)('docker', cmd).catch((err) => {
        throw new Error(`docker ${cmd.join(' ')}: ${err.message}\n${err.stdout}${err.stderr}`);
      });
      return stdout;
    };
    expect(await nslookup('-type=a', fqdn('web'))).toContain(`Address: ${webIP}`);
    expect(await nslookup('-type=a', `db-0.${fqdn('db')}`)).toContain('Address: 10.244.1.10');
    expect(await nslookup('-type=srv', `_pg._tcp.${fqdn('db')}`)).toContain(`5432 db-0.${fqdn('db')}`);
    expect(await nslookup('-type=a', fqdn('ext'))).toMatch(/canonical name = www\.example\.com[\s\S]*Address: 192\.0\.2\.10/);
  });
});
