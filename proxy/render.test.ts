import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { describe, expect, it } from 'vitest';
import { chainNames } from './chains.js';
import { probability, renderRules, type RenderOptions } from './render.js';
import { testService, testSlice, type EndpointSpec, type PortSpec } from './testing/fixtures.js';

// The exact rules per kind of Service. Each case lists only what the Service adds to the rule set
// of an empty cluster (the fixed chains are checked once, below); per-service chain names are
// written symbolically: SVC[<port name>], SVL[…], EXT[…], SEP[<ip:port>].
const NODE = 'node-a';
const OPTS: RenderOptions = { nodeIPs: [], clusterCIDR: '10.244.0.0/16' };
const CIP = '10.96.0.10';

/** Service ns/<name> at CIP, port http 80 unless `spec` says otherwise. */
const service = (spec: any, name = 'web'): Service => testService('ns', name, CIP, [{ name: 'http', port: 80 }], spec);
const slice = (name: string, ports: PortSpec[], eps: EndpointSpec[], svc = 'web'): EndpointSlice => testSlice('ns', svc, ports, eps, name);

const http = (eps: EndpointSpec[], port = 8080) => slice('web-abc', [{ name: 'http', port }], eps);

/** What `services` and `slices` add to the rules of an empty cluster, with symbolic chain names. */
function added(services: Service[], slices: EndpointSlice[], opts: Partial<RenderOptions> = {}) {
  const input = { ...OPTS, ...opts, nodeName: NODE };
  const base = renderRules({ ...input, services: [], endpointSlices: [] });
  const r = renderRules({ ...input, services, endpointSlices: slices });
  const n = chainNames();
  const symbols = new Map<string, string>();
  for (const svc of services) {
    for (const p of svc.spec?.ports ?? []) {
      const name = `ns/${svc.metadata!.name}${p.name ? `:${p.name}` : ''}`;
      const protocol = p.protocol ?? 'TCP';
      symbols.set(n.svc(name, protocol), `SVC[${name}]`);
      symbols.set(n.svl(name, protocol), `SVL[${name}]`);
      symbols.set(n.ext(name, protocol), `EXT[${name}]`);
      for (const s of slices) for (const sp of s.ports ?? []) for (const e of s.endpoints) symbols.set(n.sep(name, protocol, `${e.addresses[0]}:${sp.port}`), `SEP[${e.addresses[0]}:${sp.port}]`);
    }
  }
  const sym = (lines: string[], baseLines: string[]) =>
    lines.filter((l) => !baseLines.includes(l)).map((l) => l.replace(/TUG-(SVC|SVL|EXT|SEP)-[A-Z2-7]{16}/g, (c) => symbols.get(c) ?? `unknown chain ${c}`));
  return { nat: sym(r.nat, base.nat), filter: sym(r.filter, base.filter) };
}

const clusterRule = (target: string, proto = 'tcp', port = 80) =>
  `-A TUG-SERVICES -d ${CIP}/32 -p ${proto} -m comment --comment "ns/web:http cluster IP" -m ${proto} --dport ${port} -j ${target}`;
const masqRule = (chain: string, proto = 'tcp', port = 80) =>
  `-A ${chain} ! -s 10.244.0.0/16 -d ${CIP}/32 -p ${proto} -m comment --comment "ns/web:http cluster IP" -m ${proto} --dport ${port} -j TUG-MARK-MASQ`;
const sepRules = (addr: string, proto = 'tcp', name = 'ns/web:http', affinity = '') => [
  `-A SEP[${addr}] -s ${addr.split(':')[0]}/32 -m comment --comment "${name}" -j TUG-MARK-MASQ`,
  `-A SEP[${addr}] -p ${proto} -m comment --comment "${name}"${affinity} -m ${proto} -j DNAT --to-destination ${addr}`,
];
const pick = (chain: string, addr: string, p?: string, name = 'ns/web:http') =>
  `-A ${chain} -m comment --comment "${name} -> ${addr}"${p ? ` -m statistic --mode random --probability ${p}` : ''} -j SEP[${addr}]`;
const decl = (...chains: string[]) => chains.map((c) => `:${c} - [0:0]`);
const reject = (match: string, what = 'has no endpoints') => `-A TUG-SERVICES ${match.replace('COMMENT', `-m comment --comment "ns/web:http ${what}"`)} -j ${what === 'has no endpoints' ? 'REJECT --reject-with icmp-port-unreachable' : 'DROP'}`;

interface Case {
  name: string;
  services: Service[];
  slices: EndpointSlice[];
  opts?: Partial<RenderOptions>;
  nat: string[];
  filter: string[];
}

const A = '10.244.1.2:8080';
const B = '10.244.2.3:8080';
const C = '10.244.3.4:8080';
const LOCAL = { ip: '10.244.1.2', nodeName: NODE };

const cases: Case[] = [
  {
    name: 'ClusterIP with one endpoint',
    services: [service({})],
    slices: [http([{ ip: '10.244.1.2' }])],
    nat: [...decl('SVC[ns/web:http]', `SEP[${A}]`), clusterRule('SVC[ns/web:http]'), masqRule('SVC[ns/web:http]'), pick('SVC[ns/web:http]', A), ...sepRules(A)],
    filter: [],
  },
  {
    name: 'ClusterIP with three endpoints (random with exact probabilities)',
    services: [service({})],
    slices: [http([{ ip: '10.244.3.4' }, { ip: '10.244.1.2' }, { ip: '10.244.2.3' }])],
    nat: [
      ...decl('SVC[ns/web:http]', `SEP[${A}]`, `SEP[${B}]`, `SEP[${C}]`),
      clusterRule('SVC[ns/web:http]'),
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A, '0.3333333333'),
      pick('SVC[ns/web:http]', B, '0.5000000000'),
      pick('SVC[ns/web:http]', C),
      ...sepRules(A),
      ...sepRules(B),
      ...sepRules(C),
    ],
    filter: [],
  },
  {
    name: 'ClusterIP without endpoints: REJECT',
    services: [service({})],
    slices: [],
    nat: [],
    filter: [reject(`-d ${CIP}/32 -p tcp COMMENT -m tcp --dport 80`)],
  },
  {
    name: 'ClusterIP whose endpoints are all unready: REJECT',
    services: [service({})],
    slices: [http([{ ip: '10.244.1.2', ready: false }, { ip: '10.244.2.3', ready: false, serving: false, terminating: true }])],
    nat: [],
    filter: [reject(`-d ${CIP}/32 -p tcp COMMENT -m tcp --dport 80`)],
  },
  {
    name: 'terminating endpoints that still serve, as fallback when none is ready',
    services: [service({})],
    slices: [http([{ ip: '10.244.1.2', ready: false, serving: true, terminating: true }, { ip: '10.244.2.3', ready: false, serving: false, terminating: true }])],
    nat: [...decl('SVC[ns/web:http]', `SEP[${A}]`), clusterRule('SVC[ns/web:http]'), masqRule('SVC[ns/web:http]'), pick('SVC[ns/web:http]', A), ...sepRules(A)],
    filter: [],
  },
  {
    name: 'terminating endpoints unused while one is ready',
    services: [service({})],
    slices: [http([{ ip: '10.244.1.2', ready: false, serving: true, terminating: true }, { ip: '10.244.2.3' }])],
    nat: [...decl('SVC[ns/web:http]', `SEP[${B}]`), clusterRule('SVC[ns/web:http]'), masqRule('SVC[ns/web:http]'), pick('SVC[ns/web:http]', B), ...sepRules(B)],
    filter: [],
  },
  {
    name: 'UDP',
    services: [service({ ports: [{ name: 'http', port: 53, protocol: 'UDP' }] })],
    slices: [slice('web-abc', [{ name: 'http', port: 8080, protocol: 'UDP' }], [{ ip: '10.244.1.2' }])],
    nat: [...decl('SVC[ns/web:http]', `SEP[${A}]`), clusterRule('SVC[ns/web:http]', 'udp', 53), masqRule('SVC[ns/web:http]', 'udp', 53), pick('SVC[ns/web:http]', A), ...sepRules(A, 'udp')],
    filter: [],
  },
  {
    name: 'SCTP without endpoints',
    services: [service({ ports: [{ name: 'http', port: 80, protocol: 'SCTP' }] })],
    slices: [http([{ ip: '10.244.1.2' }])], // a TCP port of the same name does not count
    nat: [],
    filter: [reject(`-d ${CIP}/32 -p sctp COMMENT -m sctp --dport 80`)],
  },
  {
    name: 'NodePort',
    services: [service({ type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })],
    slices: [http([{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web:http]', 'EXT[ns/web:http]', `SEP[${A}]`),
      clusterRule('SVC[ns/web:http]'),
      '-A TUG-NODEPORTS -p tcp -m comment --comment "ns/web:http" -m tcp --dport 30080 -j EXT[ns/web:http]',
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A),
      '-A EXT[ns/web:http] -m comment --comment "masquerade traffic for ns/web:http external destinations" -j TUG-MARK-MASQ',
      '-A EXT[ns/web:http] -j SVC[ns/web:http]',
      ...sepRules(A),
    ],
    filter: [],
  },
  {
    name: 'NodePort without endpoints: REJECT on the cluster IP and the node port',
    services: [service({ type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })],
    slices: [],
    nat: [],
    filter: [reject(`-d ${CIP}/32 -p tcp COMMENT -m tcp --dport 80`), reject('-p tcp COMMENT -m addrtype --dst-type LOCAL -m tcp --dport 30080')],
  },
  {
    name: 'LoadBalancer with an ingress IP',
    services: [
      {
        ...service({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] }),
        status: { loadBalancer: { ingress: [{ ip: '192.168.200.10' }, { hostname: 'lb.example' }, { ip: '192.168.200.11', ipMode: 'Proxy' }] } },
      },
    ],
    slices: [http([{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web:http]', 'EXT[ns/web:http]', `SEP[${A}]`),
      clusterRule('SVC[ns/web:http]'),
      '-A TUG-SERVICES -d 192.168.200.10/32 -p tcp -m comment --comment "ns/web:http loadbalancer IP" -m tcp --dport 80 -j EXT[ns/web:http]',
      '-A TUG-NODEPORTS -p tcp -m comment --comment "ns/web:http" -m tcp --dport 30080 -j EXT[ns/web:http]',
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A),
      '-A EXT[ns/web:http] -m comment --comment "masquerade traffic for ns/web:http external destinations" -j TUG-MARK-MASQ',
      '-A EXT[ns/web:http] -j SVC[ns/web:http]',
      ...sepRules(A),
    ],
    filter: [],
  },
  {
    name: 'LoadBalancer without endpoints: REJECT on every address',
    services: [{ ...service({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] }), status: { loadBalancer: { ingress: [{ ip: '192.168.200.10' }] } } }],
    slices: [],
    nat: [],
    filter: [
      reject(`-d ${CIP}/32 -p tcp COMMENT -m tcp --dport 80`),
      reject('-d 192.168.200.10/32 -p tcp COMMENT -m tcp --dport 80'),
      reject('-p tcp COMMENT -m addrtype --dst-type LOCAL -m tcp --dport 30080'),
    ],
  },
  {
    name: 'externalIPs',
    services: [service({ externalIPs: ['203.0.113.9', '203.0.113.5', 'fd00::1'] })],
    slices: [http([{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web:http]', 'EXT[ns/web:http]', `SEP[${A}]`),
      clusterRule('SVC[ns/web:http]'),
      '-A TUG-SERVICES -d 203.0.113.5/32 -p tcp -m comment --comment "ns/web:http external IP" -m tcp --dport 80 -j EXT[ns/web:http]',
      '-A TUG-SERVICES -d 203.0.113.9/32 -p tcp -m comment --comment "ns/web:http external IP" -m tcp --dport 80 -j EXT[ns/web:http]',
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A),
      '-A EXT[ns/web:http] -m comment --comment "masquerade traffic for ns/web:http external destinations" -j TUG-MARK-MASQ',
      '-A EXT[ns/web:http] -j SVC[ns/web:http]',
      ...sepRules(A),
    ],
    filter: [],
  },
  {
    name: 'sessionAffinity ClientIP with a timeout',
    services: [service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } })],
    slices: [http([{ ip: '10.244.1.2' }, { ip: '10.244.2.3' }])],
    nat: [
      ...decl('SVC[ns/web:http]', `SEP[${A}]`, `SEP[${B}]`),
      clusterRule('SVC[ns/web:http]'),
      masqRule('SVC[ns/web:http]'),
      `-A SVC[ns/web:http] -m comment --comment "ns/web:http -> ${A}" -m recent --name SEP[${A}] --rcheck --seconds 600 --reap -j SEP[${A}]`,
      `-A SVC[ns/web:http] -m comment --comment "ns/web:http -> ${B}" -m recent --name SEP[${B}] --rcheck --seconds 600 --reap -j SEP[${B}]`,
      pick('SVC[ns/web:http]', A, '0.5000000000'),
      pick('SVC[ns/web:http]', B),
      ...sepRules(A, 'tcp', 'ns/web:http', ` -m recent --name SEP[${A}] --set`),
      ...sepRules(B, 'tcp', 'ns/web:http', ` -m recent --name SEP[${B}] --set`),
    ],
    filter: [],
  },
  {
    name: 'sessionAffinity ClientIP with the default timeout (3 h)',
    services: [service({ sessionAffinity: 'ClientIP' })],
    slices: [http([{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web:http]', `SEP[${A}]`),
      clusterRule('SVC[ns/web:http]'),
      masqRule('SVC[ns/web:http]'),
      `-A SVC[ns/web:http] -m comment --comment "ns/web:http -> ${A}" -m recent --name SEP[${A}] --rcheck --seconds 10800 --reap -j SEP[${A}]`,
      pick('SVC[ns/web:http]', A),
      ...sepRules(A, 'tcp', 'ns/web:http', ` -m recent --name SEP[${A}] --set`),
    ],
    filter: [],
  },
  {
    name: 'internalTrafficPolicy Local: only this node’s endpoints',
    services: [service({ internalTrafficPolicy: 'Local' })],
    slices: [http([LOCAL, { ip: '10.244.2.3' }])],
    nat: [...decl('SVL[ns/web:http]', `SEP[${A}]`), clusterRule('SVL[ns/web:http]'), masqRule('SVL[ns/web:http]'), pick('SVL[ns/web:http]', A), ...sepRules(A)],
    filter: [],
  },
  {
    name: 'internalTrafficPolicy Local without local endpoints: DROP',
    services: [service({ internalTrafficPolicy: 'Local' })],
    slices: [http([{ ip: '10.244.2.3' }])],
    nat: [],
    filter: [reject(`-d ${CIP}/32 -p tcp COMMENT -m tcp --dport 80`, 'has no local endpoints')],
  },
  {
    name: 'externalTrafficPolicy Local: local endpoints for outside traffic, no masquerade',
    services: [service({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })],
    slices: [http([LOCAL, { ip: '10.244.2.3' }])],
    nat: [
      ...decl('SVC[ns/web:http]', 'SVL[ns/web:http]', 'EXT[ns/web:http]', `SEP[${A}]`, `SEP[${B}]`),
      clusterRule('SVC[ns/web:http]'),
      '-A TUG-NODEPORTS -p tcp -m comment --comment "ns/web:http" -m tcp --dport 30080 -j EXT[ns/web:http]',
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A, '0.5000000000'),
      pick('SVC[ns/web:http]', B),
      pick('SVL[ns/web:http]', A),
      '-A EXT[ns/web:http] -s 10.244.0.0/16 -m comment --comment "pod traffic for ns/web:http external destinations" -j SVC[ns/web:http]',
      '-A EXT[ns/web:http] -m comment --comment "masquerade LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j TUG-MARK-MASQ',
      '-A EXT[ns/web:http] -m comment --comment "route LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j SVC[ns/web:http]',
      '-A EXT[ns/web:http] -j SVL[ns/web:http]',
      ...sepRules(A),
      ...sepRules(B),
    ],
    filter: [],
  },
  {
    name: 'externalTrafficPolicy Local without local endpoints: outside traffic DROPped',
    services: [service({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })],
    slices: [http([{ ip: '10.244.2.3' }])],
    nat: [
      ...decl('SVC[ns/web:http]', 'EXT[ns/web:http]', `SEP[${B}]`),
      clusterRule('SVC[ns/web:http]'),
      '-A TUG-NODEPORTS -p tcp -m comment --comment "ns/web:http" -m tcp --dport 30080 -j EXT[ns/web:http]',
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', B),
      '-A EXT[ns/web:http] -s 10.244.0.0/16 -m comment --comment "pod traffic for ns/web:http external destinations" -j SVC[ns/web:http]',
      '-A EXT[ns/web:http] -m comment --comment "masquerade LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j TUG-MARK-MASQ',
      '-A EXT[ns/web:http] -m comment --comment "route LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j SVC[ns/web:http]',
      ...sepRules(B),
    ],
    filter: [reject('-p tcp COMMENT -m addrtype --dst-type LOCAL -m tcp --dport 30080', 'has no local endpoints')],
  },
  {
    name: 'multiple ports with named target ports resolved in the slice',
    services: [
      service({
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
          { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 'prom' },
        ],
      }),
    ],
    slices: [slice('web-abc', [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }], [{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web:http]', `SEP[${A}]`, 'SVC[ns/web:metrics]', 'SEP[10.244.1.2:9100]'),
      clusterRule('SVC[ns/web:http]'),
      `-A TUG-SERVICES -d ${CIP}/32 -p tcp -m comment --comment "ns/web:metrics cluster IP" -m tcp --dport 9090 -j SVC[ns/web:metrics]`,
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A),
      ...sepRules(A),
      `-A SVC[ns/web:metrics] ! -s 10.244.0.0/16 -d ${CIP}/32 -p tcp -m comment --comment "ns/web:metrics cluster IP" -m tcp --dport 9090 -j TUG-MARK-MASQ`,
      pick('SVC[ns/web:metrics]', '10.244.1.2:9100', undefined, 'ns/web:metrics'),
      ...sepRules('10.244.1.2:9100', 'tcp', 'ns/web:metrics'),
    ],
    filter: [],
  },
  {
    name: 'a named target port that differs per pod (one slice per port number)',
    services: [service({})],
    slices: [slice('web-b', [{ name: 'http', port: 8081 }], [{ ip: '10.244.2.3' }]), slice('web-a', [{ name: 'http', port: 8080 }], [{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web:http]', `SEP[${A}]`, 'SEP[10.244.2.3:8081]'),
      clusterRule('SVC[ns/web:http]'),
      masqRule('SVC[ns/web:http]'),
      pick('SVC[ns/web:http]', A, '0.5000000000'),
      pick('SVC[ns/web:http]', '10.244.2.3:8081'),
      ...sepRules(A),
      ...sepRules('10.244.2.3:8081'),
    ],
    filter: [],
  },
  {
    name: 'an unnamed port',
    services: [service({ ports: [{ port: 80, protocol: 'TCP' }] })],
    slices: [slice('web-abc', [{ port: 8080 }], [{ ip: '10.244.1.2' }])],
    nat: [
      ...decl('SVC[ns/web]', `SEP[${A}]`),
      `-A TUG-SERVICES -d ${CIP}/32 -p tcp -m comment --comment "ns/web cluster IP" -m tcp --dport 80 -j SVC[ns/web]`,
      `-A SVC[ns/web] ! -s 10.244.0.0/16 -d ${CIP}/32 -p tcp -m comment --comment "ns/web cluster IP" -m tcp --dport 80 -j TUG-MARK-MASQ`,
      pick('SVC[ns/web]', A, undefined, 'ns/web'),
      ...sepRules(A, 'tcp', 'ns/web'),
    ],
    filter: [],
  },
  {
    name: 'masqueradeAll',
    services: [service({})],
    slices: [http([{ ip: '10.244.1.2' }])],
    opts: { masqueradeAll: true },
    nat: [
      ...decl('SVC[ns/web:http]', `SEP[${A}]`),
      clusterRule('SVC[ns/web:http]'),
      `-A SVC[ns/web:http] -d ${CIP}/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j TUG-MARK-MASQ`,
      pick('SVC[ns/web:http]', A),
      ...sepRules(A),
    ],
    filter: [],
  },
  { name: 'headless (clusterIP None)', services: [service({ clusterIP: 'None', clusterIPs: ['None'] })], slices: [http([{ ip: '10.244.1.2' }])], nat: [], filter: [] },
  { name: 'ExternalName', services: [service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined, clusterIPs: undefined })], slices: [], nat: [], filter: [] },
  {
    name: 'slices of other services, IPv6 slices and slices without the service label are ignored',
    services: [service({})],
    slices: [
      slice('other-abc', [{ name: 'http', port: 8080 }], [{ ip: '10.244.9.9' }], 'other'),
      { ...slice('web-v6', [{ name: 'http', port: 8080 }], [{ ip: 'fd00::5' }]), addressType: 'IPv6' },
      { ...http([{ ip: '10.244.8.8' }]), metadata: { namespace: 'ns', name: 'web-nolabel' } },
    ],
    nat: [],
    filter: [reject(`-d ${CIP}/32 -p tcp COMMENT -m tcp --dport 80`)],
  },
];

describe('renderRules per Service', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = added(c.services, c.slices, c.opts);
    expect(out.nat).toEqual(c.nat);
    expect(out.filter).toEqual(c.filter);
  });
});

describe('renderRules', () => {
  it('writes the fixed chains, hooks and the NodePort catch-all for an empty cluster', () => {
    const r = renderRules({ ...OPTS, nodeName: NODE, services: [], endpointSlices: [] });
    expect(r.nat).toEqual([
      ':TUG-SERVICES - [0:0]',
      ':TUG-NODEPORTS - [0:0]',
      ':TUG-POSTROUTING - [0:0]',
      ':TUG-MARK-MASQ - [0:0]',
      '-A TUG-SERVICES -m comment --comment "tug service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j TUG-NODEPORTS',
      '-A TUG-POSTROUTING -m mark ! --mark 0x2000/0x2000 -j RETURN',
      '-A TUG-POSTROUTING -j MARK --xor-mark 0x2000',
      '-A TUG-POSTROUTING -m comment --comment "tug service traffic requiring SNAT" -j MASQUERADE --random-fully',
      '-A TUG-MARK-MASQ -j MARK --or-mark 0x2000',
    ]);
    expect(r.filter).toEqual([
      ':TUG-SERVICES - [0:0]',
      ':TUG-FORWARD - [0:0]',
      ':TUG-FIREWALL - [0:0]',
      '-A TUG-FORWARD -m comment --comment "tug forwarding rules" -m mark --mark 0x2000/0x2000 -j ACCEPT',
      '-A TUG-FORWARD -m comment --comment "tug forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A TUG-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    ]);
    expect(r.hooks.map((h) => `${h.table} -A ${h.chain} ${h.rule.join(' ')}`)).toEqual([
      'nat -A PREROUTING -m comment --comment "tug service portals" -j TUG-SERVICES',
      'nat -A OUTPUT -m comment --comment "tug service portals" -j TUG-SERVICES',
      'nat -A POSTROUTING -m comment --comment "tug postrouting rules" -j TUG-POSTROUTING',
      'filter -A INPUT -m conntrack --ctstate NEW -m comment --comment "tug service portals" -j TUG-SERVICES',
      'filter -A INPUT -m comment --comment "tug localnet firewall" -j TUG-FIREWALL',
      'filter -A FORWARD -m conntrack --ctstate NEW -m comment --comment "tug service portals" -j TUG-SERVICES',
      'filter -A FORWARD -m comment --comment "tug forwarding rules" -j TUG-FORWARD',
      'filter -A OUTPUT -m conntrack --ctstate NEW -m comment --comment "tug service portals" -j TUG-SERVICES',
      'filter -A OUTPUT -m comment --comment "tug localnet firewall" -j TUG-FIREWALL',
    ]);
  });

  it('answers NodePorts only on the given node IPs, and off loopback without localhostNodePorts', () => {
    const nat = (opts: Partial<RenderOptions>) => renderRules({ ...OPTS, ...opts, nodeName: NODE, services: [], endpointSlices: [] }).nat.filter((l) => l.endsWith('-j TUG-NODEPORTS'));
    const last = '-m comment --comment "tug service nodeports; NOTE: this must be the last rule in this chain"';
    expect(nat({ nodeIPs: ['192.168.1.20', '10.0.0.5', '127.0.0.1'] })).toEqual([
      `-A TUG-SERVICES -d 10.0.0.5/32 ${last} -j TUG-NODEPORTS`,
      `-A TUG-SERVICES -d 127.0.0.1/32 ${last} -j TUG-NODEPORTS`,
      `-A TUG-SERVICES -d 192.168.1.20/32 ${last} -j TUG-NODEPORTS`,
    ]);
    expect(nat({ nodeIPs: ['127.0.0.1', '10.0.0.5'], localhostNodePorts: false })).toEqual([`-A TUG-SERVICES -d 10.0.0.5/32 ${last} -j TUG-NODEPORTS`]);
    expect(nat({ localhostNodePorts: false })).toEqual([`-A TUG-SERVICES ! -d 127.0.0.0/8 ${last} -m addrtype --dst-type LOCAL -j TUG-NODEPORTS`]);
    const r = renderRules({ ...OPTS, localhostNodePorts: false, nodeName: NODE, services: [], endpointSlices: [] });
    expect(r.filter.join('\n')).not.toContain('FIREWALL');
    expect(r.hooks.map((h) => h.rule.at(-1))).not.toContain('TUG-FIREWALL');
  });

  it('uses the given chain prefix everywhere', () => {
    const r = renderRules({ ...OPTS, prefix: 'TP12', nodeName: NODE, services: [service({ type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })], endpointSlices: [http([{ ip: '10.244.1.2' }])] });
    const chains = [...r.nat, ...r.filter, ...r.hooks.map((h) => h.rule.join(' '))].flatMap((l) => l.match(/\b[A-Z][A-Z0-9]*-[A-Z0-9-]+/g) ?? []);
    expect(chains.filter((c) => !c.startsWith('TP12-'))).toEqual([]);
  });

  it('is deterministic: the order of services, slices and endpoints does not matter', () => {
    const services = [service({}), service({}, 'api'), service({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }, 'dns')];
    const slices = [
      http([{ ip: '10.244.3.4' }, { ip: '10.244.1.2' }]),
      slice('api-1', [{ name: 'http', port: 9000 }], [{ ip: '10.244.2.2' }], 'api'),
      slice('dns-1', [{ name: 'dns', port: 53, protocol: 'UDP' }], [{ ip: '10.244.5.5' }, { ip: '10.244.4.4' }], 'dns'),
    ];
    const a = renderRules({ ...OPTS, nodeName: NODE, services, endpointSlices: slices });
    const reversed = slices.map((s) => ({ ...s, endpoints: [...s.endpoints].reverse() })).reverse();
    const b = renderRules({ ...OPTS, nodeName: NODE, services: [...services].reverse(), endpointSlices: reversed });
    expect(b).toEqual(a);
    // Services in name order: ns/api, ns/dns, ns/web.
    expect(a.nat.filter((l) => l.includes('cluster IP" -m') && l.startsWith('-A TUG-SERVICES')).map((l) => l.match(/"(\S+) cluster IP"/)![1])).toEqual(['ns/api:http', 'ns/dns:dns', 'ns/web:http']);
  });

  it('counts an endpoint listed by two slices once, ready if either says so', () => {
    const out = added([service({})], [http([{ ip: '10.244.1.2', ready: false }]), slice('web-zzz', [{ name: 'http', port: 8080 }], [{ ip: '10.244.1.2' }])]);
    expect(out.nat.filter((l) => l.includes('-> '))).toEqual([pick('SVC[ns/web:http]', A)]);
  });

  it.each([
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [6, '0.1666666667'],
    [7, '0.1428571429'],
  ])('writes probability 1/%i as %s', (n, p) => {
    expect(probability(n)).toBe(p);
  });
});
