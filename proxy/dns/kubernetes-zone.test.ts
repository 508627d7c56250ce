import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClusterIndex } from './cluster-index.js';
import { KubernetesZone, type ZoneAnswer } from './kubernetes-zone.js';
import { CLASS_IN, RCODE, TYPE, type ResourceRecord } from './message.js';

const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k])) as Record<number, string>;

/** A record as one line: `name ttl TYPE data`. */
function show(rr: ResourceRecord): string {
  const data =
    'address' in rr
      ? rr.address
      : 'priority' in rr
        ? `${rr.priority} ${rr.weight} ${rr.port} ${rr.target}`
        : 'target' in rr
          ? rr.target
          : 'mname' in rr
            ? `${rr.mname} ${rr.rname} ${rr.minimum}`
            : 'texts' in rr
              ? rr.texts.join(' ')
              : '?';
  return `${rr.name} ${rr.ttl} ${TYPE_NAMES[rr.type]} ${data}`;
}

function service(namespace: string, name: string, spec: Service['spec']): Service {
  return { metadata: { namespace, name }, spec };
}

function slice(namespace: string, svc: string, name: string, endpoints: NonNullable<EndpointSlice['endpoints']>, ports: EndpointSlice['ports'] = []): EndpointSlice {
  return { metadata: { namespace, name, labels: { 'kubernetes.io/service-name': svc } }, addressType: 'IPv4', endpoints, ports };
}

const SOA = 'cluster.local 5 SOA ns.dns.cluster.local hostmaster.cluster.local 5';

function fill(index: ClusterIndex): void {
  for (const ns of ['default', 'db', 'empty']) index.putNamespace(ns);
  index.putService(
    service('default', 'web', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    }),
  );
  index.putSlice(
    slice(
      'default',
      'web',
      'web-abc',
      [
        { addresses: ['10.244.1.5'], conditions: { ready: true } },
        { addresses: ['10.244.1.6'], conditions: { ready: false } },
      ],
      [{ name: 'http', port: 8080, protocol: 'TCP' }],
    ),
  );
  // A StatefulSet's headless Service: pods with hostnames, one not ready, one in a second slice without a hostname.
  index.putService(service('db', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
  index.putSlice(
    slice(
      'db',
      'db',
      'db-1',
      [
        { addresses: ['10.244.1.10'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.244.2.11'], hostname: 'db-1', conditions: { ready: true } },
        { addresses: ['10.244.2.12'], hostname: 'db-2', conditions: { ready: false } },
      ],
      [{ name: 'pg', port: 5433, protocol: 'TCP' }],
    ),
  );
  index.putSlice(slice('db', 'db', 'db-2', [{ addresses: ['10.244.3.13'] }], [{ name: 'pg', port: 5433, protocol: 'TCP' }]));
  // publishNotReadyAddresses: the slice controller marks every endpoint ready.
  index.putService(service('db', 'peers', { clusterIP: 'None', publishNotReadyAddresses: true }));
  index.putSlice(slice('db', 'peers', 'peers-1', [{ addresses: ['10.244.2.12'], hostname: 'db-2', conditions: { ready: true, serving: false } }]));
  index.putService(service('default', 'empty-headless', { clusterIP: 'None', ports: [{ name: 'x', port: 1 }] }));
  index.putService(service('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com' }));
  index.putService(service('default', 'ext-internal', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }));
  index.putService(service('default', 'ext-ip', { type: 'ExternalName', externalName: '192.0.2.1' }));
  index.putService(service('default', 'ext-down', { type: 'ExternalName', externalName: 'down.example.net' }));
  index.putService(service('default', 'ext-loop', { type: 'ExternalName', externalName: 'ext-loop.default.svc.cluster.local' }));
  index.putService(service('default', 'v6', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20', 'fd00::20'], ports: [{ port: 80 }] }));
}

describe('KubernetesZone', () => {
  let index: ClusterIndex;
  let synced: boolean;
  let upstreamCalls: string[];
  let zone: KubernetesZone;

  beforeEach(() => {
    index = new ClusterIndex(() => 1_700_000_000_000);
    fill(index);
    synced = true;
    upstreamCalls = [];
    zone = new KubernetesZone({
      zone: 'cluster.local',
      index,
      synced: () => synced,
      nameservers: ['10.244.0.1'],
      upstream: async (name, type) => {
        upstreamCalls.push(`${name} ${TYPE_NAMES[type]}`);
        if (name === 'www.example.com' && type === TYPE.A) return [{ name, type: TYPE.A, class: CLASS_IN, ttl: 300, address: '93.184.216.34' }];
        if (name === 'www.example.com') return [];
        return undefined;
      },
    });
  });

  const ask = (name: string, type: number) => zone.answer({ name, type, class: CLASS_IN });
  const lines = (a: ZoneAnswer) => ({ rcode: a.rcode, answers: a.answers.map(show), authorities: a.authorities.map(show), additionals: a.additionals.map(show) });

  const NODATA = { rcode: RCODE.NOERROR, answers: [], authorities: [SOA], additionals: [] };
  const NXDOMAIN = { rcode: RCODE.NXDOMAIN, answers: [], authorities: [SOA], additionals: [] };
  const answer = (...answers: string[]) => ({ rcode: RCODE.NOERROR, answers, authorities: [], additionals: [] });

  it.each<[string, string, number, object]>([
    ['ClusterIP Service A', 'web.default.svc.cluster.local', TYPE.A, answer('web.default.svc.cluster.local 5 A 10.96.0.10')],
    ['case-insensitive, answered in the question case', 'WEB.Default.SVC.Cluster.LOCAL', TYPE.A, answer('WEB.Default.SVC.Cluster.LOCAL 5 A 10.96.0.10')],
    ['AAAA of an IPv4-only Service: NODATA', 'web.default.svc.cluster.local', TYPE.AAAA, NODATA],
    ['dual-stack Service AAAA', 'v6.default.svc.cluster.local', TYPE.AAAA, answer('v6.default.svc.cluster.local 5 AAAA fd00::20')],
    ['dual-stack Service A', 'v6.default.svc.cluster.local', TYPE.A, answer('v6.default.svc.cluster.local 5 A 10.96.0.20')],
    [
      'headless Service A: every ready endpoint of every slice',
      'db.db.svc.cluster.local',
      TYPE.A,
      answer('db.db.svc.cluster.local 5 A 10.244.1.10', 'db.db.svc.cluster.local 5 A 10.244.2.11', 'db.db.svc.cluster.local 5 A 10.244.3.13'),
    ],
    ['headless, publishNotReadyAddresses (slice marks ready)', 'peers.db.svc.cluster.local', TYPE.A, answer('peers.db.svc.cluster.local 5 A 10.244.2.12')],
    ['headless Service without ready endpoints: NXDOMAIN', 'empty-headless.default.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['StatefulSet pod by hostname', 'db-0.db.db.svc.cluster.local', TYPE.A, answer('db-0.db.db.svc.cluster.local 5 A 10.244.1.10')],
    ['a not-ready pod hostname: NXDOMAIN', 'db-2.db.db.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['an endpoint without hostname, by dashed IP', '10-244-3-13.db.db.svc.cluster.local', TYPE.A, answer('10-244-3-13.db.db.svc.cluster.local 5 A 10.244.3.13')],
    ['an endpoint of a ClusterIP Service', '10-244-1-5.web.default.svc.cluster.local', TYPE.A, answer('10-244-1-5.web.default.svc.cluster.local 5 A 10.244.1.5')],
    [
      'SRV of a named port: the Service name and port',
      '_http._tcp.web.default.svc.cluster.local',
      TYPE.SRV,
      { ...answer('_http._tcp.web.default.svc.cluster.local 5 SRV 0 100 80 web.default.svc.cluster.local'), additionals: ['web.default.svc.cluster.local 5 A 10.96.0.10'] },
    ],
    [
      'SRV matches protocol and port name case-insensitively',
      '_DNS._UDP.web.default.svc.cluster.local',
      TYPE.SRV,
      { ...answer('_DNS._UDP.web.default.svc.cluster.local 5 SRV 0 100 53 web.default.svc.cluster.local'), additionals: ['web.default.svc.cluster.local 5 A 10.96.0.10'] },
    ],
    ['SRV with the wrong protocol: NXDOMAIN', '_dns._tcp.web.default.svc.cluster.local', TYPE.SRV, NXDOMAIN],
    ['SRV of an unknown port: NXDOMAIN', '_nope._tcp.web.default.svc.cluster.local', TYPE.SRV, NXDOMAIN],
    [
      'SRV of a headless Service: one per ready endpoint, endpoint port',
      '_pg._tcp.db.db.svc.cluster.local',
      TYPE.SRV,
      {
        rcode: RCODE.NOERROR,
        answers: [
          '_pg._tcp.db.db.svc.cluster.local 5 SRV 0 33 5433 db-0.db.db.svc.cluster.local',
          '_pg._tcp.db.db.svc.cluster.local 5 SRV 0 33 5433 db-1.db.db.svc.cluster.local',
          '_pg._tcp.db.db.svc.cluster.local 5 SRV 0 33 5433 10-244-3-13.db.db.svc.cluster.local',
        ],
        authorities: [],
        additionals: ['db-0.db.db.svc.cluster.local 5 A 10.244.1.10', 'db-1.db.db.svc.cluster.local 5 A 10.244.2.11', '10-244-3-13.db.db.svc.cluster.local 5 A 10.244.3.13'],
      },
    ],
    ['A of an SRV-style name: the Service address', '_http._tcp.web.default.svc.cluster.local', TYPE.A, answer('_http._tcp.web.default.svc.cluster.local 5 A 10.96.0.10')],
    ['ExternalName A: CNAME, then the target resolved upstream', 'ext.default.svc.cluster.local', TYPE.A, answer('ext.default.svc.cluster.local 5 CNAME www.example.com', 'www.example.com 300 A 93.184.216.34')],
    ['ExternalName CNAME', 'ext.default.svc.cluster.local', TYPE.CNAME, answer('ext.default.svc.cluster.local 5 CNAME www.example.com')],
    ['ExternalName AAAA without upstream AAAA: the CNAME alone', 'ext.default.svc.cluster.local', TYPE.AAAA, answer('ext.default.svc.cluster.local 5 CNAME www.example.com')],
    ['ExternalName with failing upstreams: the CNAME alone', 'ext-down.default.svc.cluster.local', TYPE.A, answer('ext-down.default.svc.cluster.local 5 CNAME down.example.net')],
    [
      'ExternalName into the zone: resolved here',
      'ext-internal.default.svc.cluster.local',
      TYPE.A,
      answer('ext-internal.default.svc.cluster.local 5 CNAME web.default.svc.cluster.local', 'web.default.svc.cluster.local 5 A 10.96.0.10'),
    ],
    ['ExternalName to itself: no loop, NODATA', 'ext-loop.default.svc.cluster.local', TYPE.A, NODATA],
    ['ExternalName that is an IP: NXDOMAIN', 'ext-ip.default.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['SRV of an ExternalName: NODATA', '_http._tcp.ext.default.svc.cluster.local', TYPE.SRV, NODATA],
    ['unknown Service: NXDOMAIN with SOA', 'nope.default.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['unknown namespace: NXDOMAIN', 'web.nope.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['an existing namespace: NODATA', 'empty.svc.cluster.local', TYPE.A, NODATA],
    ['an unknown namespace alone: NXDOMAIN', 'nope.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['svc.<zone>: NODATA', 'svc.cluster.local', TYPE.A, NODATA],
    ['neither svc nor pod: NXDOMAIN', 'web.default.cluster.local', TYPE.A, NXDOMAIN],
    ['a search-path expansion of an FQDN: NXDOMAIN', 'web.default.svc.cluster.local.default.svc.cluster.local', TYPE.A, NXDOMAIN],
    ['another type for an existing name: NODATA', 'web.default.svc.cluster.local', TYPE.MX, NODATA],
    ['another type for an unknown name: NXDOMAIN', 'nope.default.svc.cluster.local', TYPE.MX, NXDOMAIN],
    ['pod A (insecure)', '10-244-1-5.default.pod.cluster.local', TYPE.A, answer('10-244-1-5.default.pod.cluster.local 5 A 10.244.1.5')],
    ['pod AAAA of an IPv4 pod: NODATA', '10-244-1-5.default.pod.cluster.local', TYPE.AAAA, NODATA],
    ['IPv6 pod', 'fd00--5.default.pod.cluster.local', TYPE.AAAA, answer('fd00--5.default.pod.cluster.local 5 AAAA fd00::5')],
    ['pod name that is no address: NXDOMAIN', 'web-0.default.pod.cluster.local', TYPE.A, NXDOMAIN],
    ['pod in an unknown namespace: NXDOMAIN', '10-244-1-5.nope.pod.cluster.local', TYPE.A, NXDOMAIN],
    ['dns-version TXT', 'dns-version.cluster.local', TYPE.TXT, answer('dns-version.cluster.local 28800 TXT 1.1.0')],
    ['apex SOA', 'cluster.local', TYPE.SOA, answer(SOA)],
    ['apex NS', 'cluster.local', TYPE.NS, { ...answer('cluster.local 5 NS ns.dns.cluster.local'), additionals: ['ns.dns.cluster.local 5 A 10.244.0.1'] }],
    ['apex A: NODATA', 'cluster.local', TYPE.A, NODATA],
    ['the name server address', 'ns.dns.cluster.local', TYPE.A, answer('ns.dns.cluster.local 5 A 10.244.0.1')],
  ])('%s', async (_, name, type, want) => {
    expect(lines(await ask(name, type))).toEqual(want);
  });

  it('asks upstream only for targets outside the zone', async () => {
    await ask('ext.default.svc.cluster.local', TYPE.CNAME);
    await ask('ext-internal.default.svc.cluster.local', TYPE.A);
    expect(upstreamCalls).toEqual([]);
    await ask('ext.default.svc.cluster.local', TYPE.A);
    expect(upstreamCalls).toEqual(['www.example.com A']);
  });

  it('puts the time of the last change in the SOA serial', async () => {
    const soa = (await ask('nope.default.svc.cluster.local', TYPE.A)).authorities[0]!;
    expect(soa).toMatchObject({ type: TYPE.SOA, serial: 1_700_000_000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 });
  });

  it('answers SERVFAIL instead of NXDOMAIN until synced, but answers what it knows', async () => {
    synced = false;
    expect((await ask('nope.default.svc.cluster.local', TYPE.A)).rcode).toBe(RCODE.SERVFAIL);
    expect((await ask('web.default.svc.cluster.local', TYPE.A)).rcode).toBe(RCODE.NOERROR);
  });

  it('follows changes to Services and slices', async () => {
    index.putSlice(slice('db', 'db', 'db-2', [{ addresses: ['10.244.3.14'], conditions: { ready: true } }], []));
    expect(lines(await ask('db.db.svc.cluster.local', TYPE.A)).answers).toEqual(['db.db.svc.cluster.local 5 A 10.244.1.10', 'db.db.svc.cluster.local 5 A 10.244.2.11', 'db.db.svc.cluster.local 5 A 10.244.3.14']);
    index.deleteSlice(slice('db', 'db', 'db-1', []));
    expect(lines(await ask('db.db.svc.cluster.local', TYPE.A)).answers).toEqual(['db.db.svc.cluster.local 5 A 10.244.3.14']);
    index.deleteService(service('default', 'web', {}));
    expect((await ask('web.default.svc.cluster.local', TYPE.A)).rcode).toBe(RCODE.NXDOMAIN);
    expect(zone.reverse({ name: '10.0.96.10.in-addr.arpa', type: TYPE.PTR, class: CLASS_IN })).toBeUndefined();
  });

  it.each([
    ['a cluster IP', '10.0.96.10.in-addr.arpa', ['10.0.96.10.in-addr.arpa 5 PTR web.default.svc.cluster.local']],
    ['a StatefulSet pod', '10.1.244.10.in-addr.arpa', ['10.1.244.10.in-addr.arpa 5 PTR db-0.db.db.svc.cluster.local']],
    ['an endpoint without hostname', '5.1.244.10.in-addr.arpa', ['5.1.244.10.in-addr.arpa 5 PTR 10-244-1-5.web.default.svc.cluster.local']],
    ['an IPv6 cluster IP', `0.2.${'0.'.repeat(26)}0.0.d.f.ip6.arpa`, [`0.2.${'0.'.repeat(26)}0.0.d.f.ip6.arpa 5 PTR v6.default.svc.cluster.local`]],
    ['a not-ready endpoint only published by another Service', '12.2.244.10.in-addr.arpa', ['12.2.244.10.in-addr.arpa 5 PTR db-2.peers.db.svc.cluster.local']],
    ['an address the cluster does not know (goes upstream)', '1.2.0.192.in-addr.arpa', undefined],
    ['a partial reverse name (goes upstream)', '96.10.in-addr.arpa', undefined],
  ])('reverse: %s', (_, name, want) => {
    const a = zone.reverse({ name, type: TYPE.PTR, class: CLASS_IN });
    expect(a && a.answers.map(show)).toEqual(want);
  });

  it('knows which names are in the zone', () => {
    expect(['cluster.local', 'a.svc.Cluster.Local.', 'x.cluster.local'].every((n) => zone.contains(n))).toBe(true);
    expect(['web.default', 'local', 'xcluster.local', 'example.com'].some((n) => zone.contains(n))).toBe(false);
  });
});
