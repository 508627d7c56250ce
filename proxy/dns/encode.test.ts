import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.js';
import { MessageTooLargeError, encodeMessage } from './encode.js';
import { CLASS_IN, RCODE, TYPE, type Message, type ResourceRecord } from './message.js';

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 0x1234,
    qr: true,
    opcode: 0,
    aa: true,
    tc: false,
    rd: true,
    ra: true,
    ad: false,
    cd: false,
    rcode: RCODE.NOERROR,
    questions: [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [],
    ...overrides,
  };
}

const a = (name: string, address: string, ttl = 5): ResourceRecord => ({ name, type: TYPE.A, class: CLASS_IN, ttl, address });

describe('encodeMessage', () => {
  it('round-trips every record type through decodeMessage', () => {
    const records: ResourceRecord[] = [
      a('web.default.svc.cluster.local', '10.96.0.10'),
      { name: 'web.default.svc.cluster.local', type: TYPE.AAAA, class: CLASS_IN, ttl: 5, address: 'fd00::a' },
      { name: 'ext.default.svc.cluster.local', type: TYPE.CNAME, class: CLASS_IN, ttl: 5, target: 'www.example.com' },
      { name: '_http._tcp.web.default.svc.cluster.local', type: TYPE.SRV, class: CLASS_IN, ttl: 5, priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
      { name: 'example.com', type: TYPE.MX, class: CLASS_IN, ttl: 60, preference: 10, exchange: 'mail.example.com' },
      { name: '10.0.96.10.in-addr.arpa', type: TYPE.PTR, class: CLASS_IN, ttl: 5, target: 'web.default.svc.cluster.local' },
      { name: 'cluster.local', type: TYPE.NS, class: CLASS_IN, ttl: 5, target: 'ns.dns.cluster.local' },
      { name: 'x.example', type: 99, class: CLASS_IN, ttl: 7, rdata: Buffer.from([1, 2, 3]) },
    ];
    const soa: ResourceRecord = { name: 'cluster.local', type: TYPE.SOA, class: CLASS_IN, ttl: 5, mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 4294967295, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 };
    const msg = message({ answers: records, authorities: [soa], additionals: [a('ns.dns.cluster.local', '10.244.0.1')], edns: { udpSize: 1232, version: 0, dnssecOk: true, options: [{ code: 10, data: Buffer.from('cookie!!') }] } });
    expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
  });

  it('writes TXT strings, which decode as raw RDATA', () => {
    const msg = message({ answers: [{ name: 'dns-version.cluster.local', type: TYPE.TXT, class: CLASS_IN, ttl: 28800, texts: ['1.1.0', 'b'] }] });
    const [rr] = decodeMessage(encodeMessage(msg)).answers;
    expect(rr).toMatchObject({ type: TYPE.TXT, rdata: Buffer.from('\x051.1.0\x01b', 'latin1') });
  });

  it('compresses repeated names to 2-byte pointers, case-insensitively, but not SRV targets', () => {
    const question = 12 + 'web.default.svc.cluster.local'.length + 2 + 4;
    const three = encodeMessage(message({ answers: [a('web.default.svc.cluster.local', '10.0.0.1'), a('WEB.default.svc.cluster.local', '10.0.0.2'), a('web.default.svc.cluster.local', '10.0.0.3')] }));
    expect(three.length).toBe(question + 3 * (2 + 10 + 4));

    const srv = encodeMessage(message({ answers: [{ name: 'web.default.svc.cluster.local', type: TYPE.SRV, class: CLASS_IN, ttl: 5, priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }] }));
    expect(srv.length).toBe(question + 2 + 10 + 6 + 'web.default.svc.cluster.local'.length + 2);
  });

  it('keeps the case of names as given', () => {
    const msg = message({ questions: [{ name: 'WeB.Default.SVC.cluster.local', type: TYPE.A, class: CLASS_IN }], answers: [a('WeB.Default.SVC.cluster.local', '10.0.0.1')] });
    const decoded = decodeMessage(encodeMessage(msg));
    expect(decoded.questions[0]!.name).toBe('WeB.Default.SVC.cluster.local');
    expect(decoded.answers[0]!.name).toBe('WeB.Default.SVC.cluster.local');
  });

  it('truncates answers that do not fit with TC, keeping whole records and the OPT record', () => {
    const answers = Array.from({ length: 40 }, (_, i) => a('headless.default.svc.cluster.local', `10.244.0.${i + 1}`));
    const question = 12 + 'headless.default.svc.cluster.local'.length + 2 + 4;
    const plain = encodeMessage(message({ questions: [{ name: 'headless.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }], answers }), 512);
    expect(plain.length).toBeLessThanOrEqual(512);
    const decoded = decodeMessage(plain);
    expect(decoded.tc).toBe(true);
    expect(decoded.answers).toHaveLength(Math.floor((512 - question) / 16));
    expect(decoded.answers.slice(0, 3).map((r) => ('address' in r ? r.address : ''))).toEqual(['10.244.0.1', '10.244.0.2', '10.244.0.3']);

    const withEdns = decodeMessage(encodeMessage(message({ answers, edns: { udpSize: 1232, version: 0, dnssecOk: false, options: [] } }), 512));
    expect(withEdns.tc).toBe(true);
    expect(withEdns.edns).toEqual({ udpSize: 1232, version: 0, dnssecOk: false, options: [] });

    const fits = decodeMessage(encodeMessage(message({ answers }), 1232));
    expect(fits.tc).toBe(false);
    expect(fits.answers).toHaveLength(40);
  });

  it('drops additional records that do not fit without setting TC', () => {
    const additionals = Array.from({ length: 40 }, (_, i) => a(`pod-${i}.db.default.svc.cluster.local`, `10.244.0.${i + 1}`));
    const decoded = decodeMessage(encodeMessage(message({ answers: [a('web.default.svc.cluster.local', '10.96.0.1')], additionals }), 512));
    expect(decoded.tc).toBe(false);
    expect(decoded.answers).toHaveLength(1);
    expect(decoded.additionals.length).toBeGreaterThan(0);
    expect(decoded.additionals.length).toBeLessThan(40);
  });

  it('carries an extended rcode in the OPT record', () => {
    const decoded = decodeMessage(encodeMessage(message({ rcode: RCODE.BADVERS, edns: { udpSize: 1232, version: 0, dnssecOk: false, options: [] } })));
    expect(decoded.rcode).toBe(RCODE.BADVERS);
    expect(() => encodeMessage(message({ rcode: RCODE.BADVERS }))).toThrow(/EDNS/);
  });

  it.each([
    ['a label longer than 63 bytes', `${'x'.repeat(64)}.example`],
    ['an empty label', 'a..example'],
  ])('refuses %s', (_, name) => {
    expect(() => encodeMessage(message({ answers: [a(name, '10.0.0.1')] }))).toThrow(/invalid label/);
  });

  it('throws MessageTooLargeError when the question alone exceeds the limit', () => {
    expect(() => encodeMessage(message(), 20)).toThrow(MessageTooLargeError);
  });
});
