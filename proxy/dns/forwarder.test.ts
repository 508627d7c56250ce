import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DnsCache } from './cache.js';
import { Forwarder } from './forwarder.js';
import { CLASS_IN, RCODE, TYPE } from './message.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { parseUpstream } from './upstream.js';

const logger = pino({ level: 'silent' });
const q = (name: string, type: number = TYPE.A) => ({ name, type, class: CLASS_IN });

describe('Forwarder (fake upstreams on loopback)', () => {
  let first: FakeUpstream;
  let second: FakeUpstream;

  beforeEach(async () => {
    first = await startFakeUpstream();
    second = await startFakeUpstream();
    for (const f of [first, second]) f.add('www.example.com', { type: TYPE.A, address: '192.0.2.10' }, 120);
  });
  afterEach(async () => {
    await first.stop();
    await second.stop();
  });

  const forwarder = (servers: FakeUpstream[], timeoutMs = 2000) =>
    new Forwarder({ upstreams: servers.map((s) => parseUpstream(s.address)), cache: new DnsCache(), timeoutMs, logger });

  it('returns the upstream answer and serves repeats from the cache', async () => {
    const f = forwarder([first]);
    const reply = await f.resolve(q('www.example.com'));
    expect(reply).toMatchObject({ rcode: RCODE.NOERROR, answers: [{ name: 'www.example.com', address: '192.0.2.10', ttl: 120 }] });
    expect(await f.lookup('WWW.example.com', TYPE.A)).toMatchObject([{ address: '192.0.2.10' }]);
    expect(first.seen).toEqual([`www.example.com ${TYPE.A} udp`]);
  });

  it('passes NXDOMAIN through and caches it by the SOA', async () => {
    const f = forwarder([first]);
    expect((await f.resolve(q('nope.example.com')))!.rcode).toBe(RCODE.NXDOMAIN);
    expect((await f.resolve(q('nope.example.com')))!.rcode).toBe(RCODE.NXDOMAIN);
    expect(first.seen).toHaveLength(1);
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    first.truncateUdp = true;
    const reply = await forwarder([first]).resolve(q('www.example.com'));
    expect(reply).toMatchObject({ tc: false, answers: [{ address: '192.0.2.10' }] });
    expect(first.seen).toEqual([`www.example.com ${TYPE.A} udp`, `www.example.com ${TYPE.A} tcp`]);
  });

  it('moves on to the next upstream when one does not answer', async () => {
    first.silent = true;
    const reply = await forwarder([first, second], 200).resolve(q('www.example.com'));
    expect(reply).toMatchObject({ answers: [{ address: '192.0.2.10' }] });
    expect(first.seen).toHaveLength(1);
    expect(second.seen).toHaveLength(1);
  });

  it('gives up after two rounds over every upstream (the client gets SERVFAIL)', async () => {
    first.silent = second.silent = true;
    const started = Date.now();
    expect(await forwarder([first, second], 150).resolve(q('www.example.com'))).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first.seen).toHaveLength(2);
    expect(second.seen).toHaveLength(2);
  });

  it('shares one upstream exchange between identical concurrent questions', async () => {
    const f = forwarder([first]);
    const replies = await Promise.all([f.resolve(q('www.example.com')), f.resolve(q('www.EXAMPLE.com')), f.resolve(q('www.example.com', TYPE.AAAA))]);
    expect(replies.map((r) => r?.rcode)).toEqual([RCODE.NOERROR, RCODE.NOERROR, RCODE.NOERROR]);
    expect(first.seen.sort()).toEqual([`www.example.com ${TYPE.A} udp`, `www.example.com ${TYPE.AAAA} udp`]);
  });
});
