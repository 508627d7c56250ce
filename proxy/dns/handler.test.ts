import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClusterIndex } from './cluster-index.js';
import { decodeMessage } from './decode.js';
import { encodeMessage } from './encode.js';
import { DnsHandler } from './handler.js';
import { KubernetesZone } from './kubernetes-zone.js';
import { CLASS_IN, RCODE, TYPE, replyTo, type Edns, type Message, type Question } from './message.js';

function query(name: string, type: number, opts: { edns?: Edns; opcode?: number; id?: number; klass?: number; questions?: Question[] } = {}): Buffer {
  return encodeMessage({
    id: opts.id ?? 4242,
    qr: false,
    opcode: opts.opcode ?? 0,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: opts.questions ?? [{ name, type, class: opts.klass ?? CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: opts.edns,
  });
}

const edns = (udpSize: number, extra: Partial<Edns> = {}): Edns => ({ udpSize, version: 0, dnssecOk: false, options: [], ...extra });

describe('DnsHandler', () => {
  let forwarded: Question[];
  let upstreamReply: Message | undefined;
  let handler: DnsHandler;

  beforeEach(() => {
    const index = new ClusterIndex();
    index.putNamespace('default');
    index.putService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] } });
    index.putService({ metadata: { namespace: 'default', name: 'many' }, spec: { clusterIP: 'None' } });
    index.putSlice({
      metadata: { namespace: 'default', name: 'many-1', labels: { 'kubernetes.io/service-name': 'many' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`], conditions: { ready: true } })),
    });
    forwarded = [];
    upstreamReply = undefined;
    const forwarder = {
      resolve: async (q: Question) => {
        forwarded.push(q);
        return upstreamReply;
      },
    };
    const zone = new KubernetesZone({ zone: 'cluster.local', index, synced: () => true, nameservers: [], upstream: async () => undefined });
    handler = new DnsHandler({ zone, forwarder, logger: pino({ level: 'silent' }) });
  });

  const ask = async (packet: Buffer, transport: 'udp' | 'tcp' = 'udp') => {
    const out = await handler.handle(packet, transport);
    return { bytes: out!.length, msg: decodeMessage(out!) };
  };

  it('answers a cluster name authoritatively, echoing id, question case and RD', async () => {
    const { msg } = await ask(query('Web.Default.svc.cluster.local', TYPE.A, { id: 777 }));
    expect(msg).toMatchObject({ id: 777, qr: true, aa: true, rd: true, ra: true, tc: false, rcode: RCODE.NOERROR });
    expect(msg.questions).toEqual([{ name: 'Web.Default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }]);
    expect(msg.answers).toEqual([{ name: 'Web.Default.svc.cluster.local', type: TYPE.A, class: CLASS_IN, ttl: 5, address: '10.96.0.10' }]);
    expect(msg.edns).toBeUndefined();
  });

  it.each([
    ['NXDOMAIN for an unknown Service, with the SOA', 'nope.default.svc.cluster.local', TYPE.A, RCODE.NXDOMAIN],
    ['NODATA for AAAA of an IPv4 Service, with the SOA', 'web.default.svc.cluster.local', TYPE.AAAA, RCODE.NOERROR],
  ])('%s', async (_, name, type, rcode) => {
    const { msg } = await ask(query(name, type));
    expect(msg).toMatchObject({ rcode, aa: true, answers: [] });
    expect(msg.authorities).toMatchObject([{ name: 'cluster.local', type: TYPE.SOA, ttl: 5, minimum: 5 }]);
  });

  it.each<[string, Buffer, 'udp' | 'tcp', { tc: boolean; answers: number; maxBytes: number }]>([
    ['UDP without EDNS: 512 bytes, TC', query('many.default.svc.cluster.local', TYPE.A), 'udp', { tc: true, answers: 29, maxBytes: 512 }],
    ['UDP with a small EDNS size: 512 bytes at least', query('many.default.svc.cluster.local', TYPE.A, { edns: edns(256) }), 'udp', { tc: true, answers: 28, maxBytes: 512 }],
    ['UDP with EDNS 4096: capped at 1232', query('many.default.svc.cluster.local', TYPE.A, { edns: edns(4096) }), 'udp', { tc: true, answers: 73, maxBytes: 1232 }],
    ['TCP: everything', query('many.default.svc.cluster.local', TYPE.A), 'tcp', { tc: false, answers: 100, maxBytes: 65535 }],
  ])('truncation (48 bytes of header and question, 16 per answer, 11 of OPT): %s', async (_, packet, transport, want) => {
    const { bytes, msg } = await ask(packet, transport);
    expect(bytes).toBeLessThanOrEqual(want.maxBytes);
    expect({ tc: msg.tc, answers: msg.answers.length }).toEqual({ tc: want.tc, answers: want.answers });
  });

  it('echoes EDNS: our UDP size, the DO bit, no options', async () => {
    const { msg } = await ask(query('web.default.svc.cluster.local', TYPE.A, { edns: edns(4096, { dnssecOk: true, options: [{ code: 10, data: Buffer.alloc(8) }] }) }));
    expect(msg.edns).toEqual({ udpSize: 1232, version: 0, dnssecOk: true, options: [] });
  });

  it('answers BADVERS to EDNS version 1', async () => {
    const { msg } = await ask(query('web.default.svc.cluster.local', TYPE.A, { edns: edns(1232, { version: 1 }) }));
    expect(msg.rcode).toBe(RCODE.BADVERS);
    expect(msg.edns?.version).toBe(0);
  });

  it.each([
    ['NOTIMP for opcode UPDATE', query('web.default.svc.cluster.local', TYPE.A, { opcode: 5 }), RCODE.NOTIMP],
    ['FORMERR for two questions', query('', 0, { questions: [{ name: 'a.example', type: TYPE.A, class: CLASS_IN }, { name: 'b.example', type: TYPE.A, class: CLASS_IN }] }), RCODE.FORMERR],
    ['REFUSED for a cluster name in class CH', query('web.default.svc.cluster.local', TYPE.A, { klass: 3 }), RCODE.REFUSED],
  ])('%s', async (_, packet, rcode) => {
    expect((await ask(packet)).msg.rcode).toBe(rcode);
  });

  it('answers FORMERR with the id of a malformed request, and nothing to junk or to responses', async () => {
    const malformed = query('web.default.svc.cluster.local', TYPE.A, { id: 99 }).subarray(0, 20);
    const { msg } = await ask(malformed);
    expect(msg).toMatchObject({ id: 99, qr: true, rcode: RCODE.FORMERR, questions: [] });
    expect(await handler.handle(Buffer.from([1, 2, 3]), 'udp')).toBeUndefined();
    const response = query('web.default.svc.cluster.local', TYPE.A);
    response[2]! |= 0x80;
    expect(await handler.handle(response, 'udp')).toBeUndefined();
  });

  it('forwards other names and relays the upstream answer, not authoritatively', async () => {
    upstreamReply = { ...replyTo(decodeMessage(query('www.example.com', TYPE.A)), RCODE.NOERROR), aa: true, answers: [{ name: 'www.example.com', type: TYPE.A, class: CLASS_IN, ttl: 42, address: '192.0.2.1' }] };
    const { msg } = await ask(query('WWW.example.com', TYPE.A, { id: 5 }));
    expect(forwarded).toEqual([{ name: 'WWW.example.com', type: TYPE.A, class: CLASS_IN }]);
    expect(msg).toMatchObject({ id: 5, aa: false, rcode: RCODE.NOERROR, questions: [{ name: 'WWW.example.com' }], answers: [{ address: '192.0.2.1', ttl: 42 }] });
  });

  it('answers SERVFAIL when the upstreams fail', async () => {
    expect((await ask(query('www.example.com', TYPE.A))).msg.rcode).toBe(RCODE.SERVFAIL);
  });

  it('answers reverse names of cluster addresses and forwards the others', async () => {
    const { msg } = await ask(query('10.0.96.10.in-addr.arpa', TYPE.PTR));
    expect(msg).toMatchObject({ aa: true, answers: [{ type: TYPE.PTR, target: 'web.default.svc.cluster.local' }] });
    expect(forwarded).toEqual([]);
    await ask(query('1.2.0.192.in-addr.arpa', TYPE.PTR));
    expect(forwarded.map((q) => q.name)).toEqual(['1.2.0.192.in-addr.arpa']);
  });
});
