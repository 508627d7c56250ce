import { describe, expect, it } from 'vitest';
import { managedHostsFile, parseResolvConf, podDNSConfig, podHostname } from './dns.js';
import { pod } from './testing/fixtures.js';

const host = parseResolvConf('# generated\nnameserver 192.168.1.1\nnameserver 192.168.1.2 ; comment\nsearch corp.example lab.example\noptions edns0 ndots:2\n');
const cluster = { servers: ['10.96.0.10'], searches: [] };

describe('pod DNS', () => {
  it('parses resolv.conf', () => {
    expect(host).toEqual({ servers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'ndots:2'] });
  });

  it.each([
    {
      name: 'ClusterFirst: cluster servers, namespace searches then the host searches, ndots:5',
      spec: {},
      want: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'] },
    },
    { name: 'ClusterFirst on the host network falls back to the host', spec: { hostNetwork: true }, want: host },
    {
      name: 'ClusterFirstWithHostNet uses the cluster on the host network',
      spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' },
      want: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'] },
    },
    { name: 'Default: the host', spec: { dnsPolicy: 'Default' }, want: host },
    {
      name: 'None: only dnsConfig',
      spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } },
      want: { servers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:1', 'rotate'] },
    },
    {
      name: 'dnsConfig is merged: options by name replace',
      spec: { dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] } },
      want: { servers: ['10.96.0.10', '1.1.1.1'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:2'] },
    },
  ])('$name', ({ spec, want }) => {
    expect(podDNSConfig(pod(spec as never), cluster, host)).toEqual({ config: want, missingClusterDNS: false });
  });

  it('falls back to the host without cluster DNS, saying so', () => {
    expect(podDNSConfig(pod(), undefined, host)).toEqual({ config: host, missingClusterDNS: true });
  });

  it('adds the cluster extra searches and keeps to three servers', () => {
    const r = podDNSConfig(pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] } }), { servers: ['10.96.0.10'], searches: ['extra.example'] }, host);
    expect(r.config.servers).toEqual(['10.96.0.10', '1.1.1.1', '2.2.2.2']);
    expect(r.config.searches.slice(3, 4)).toEqual(['extra.example']);
  });

  it('names the pod host and writes the managed hosts file', () => {
    const p = pod({ hostname: 'h1', subdomain: 'sub', hostAliases: [{ ip: '10.1.2.3', hostnames: ['a', 'b'] }] });
    expect(podHostname(p)).toEqual({ hostname: 'h1', domain: 'sub.default.svc.cluster.local' });
    expect(podHostname(pod({}, { metadata: { name: `${'x'.repeat(62)}-y-z` } })).hostname).toBe(`${'x'.repeat(62)}`);
    expect(managedHostsFile(p, ['10.244.0.5'])).toBe(
      [
        '# Kubernetes-managed hosts file.',
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        'fe00::0\tip6-localnet',
        'fe00::0\tip6-mcastprefix',
        'fe00::1\tip6-allnodes',
        'fe00::2\tip6-allrouters',
        '10.244.0.5\th1.sub.default.svc.cluster.local\th1',
        '',
        '# Entries added by HostAliases.',
        '10.1.2.3\ta\tb',
        '',
      ].join('\n'),
    );
  });
});
