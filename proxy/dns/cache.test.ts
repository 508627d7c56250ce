import { describe, expect, it } from 'vitest';
import { DnsCache, cacheTtl } from './cache.js';
import { CLASS_IN, RCODE, TYPE, replyTo, type Message, type ResourceRecord } from './message.js';

const q = (name: string, type: number = TYPE.A) => ({ name, type, class: CLASS_IN });
const a = (name: string, ttl: number): ResourceRecord => ({ name, type: TYPE.A, class: CLASS_IN, ttl, address: '192.0.2.1' });
const soa = (ttl: number, minimum: number): ResourceRecord => ({ name: 'example.com', type: TYPE.SOA, class: CLASS_IN, ttl, mname: 'ns', rname: 'h', serial: 1, refresh: 1, retry: 1, expire: 1, minimum });

const QUERY: Message = { id: 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0, questions: [q('www.example.com')], answers: [], authorities: [], additionals: [] };

function reply(rcode: number, answers: ResourceRecord[], authorities: ResourceRecord[] = [], tc = false): Message {
  return { ...replyTo(QUERY, rcode), tc, answers, authorities };
}

describe('cacheTtl', () => {
  it.each<[string, Message, number]>([
    ['positive: the smallest TTL', reply(RCODE.NOERROR, [a('x', 300), a('x', 60)]), 60],
    ['positive: capped', reply(RCODE.NOERROR, [a('x', 86400)]), 3600],
    ['NXDOMAIN: min(SOA TTL, SOA minimum)', reply(RCODE.NXDOMAIN, [], [soa(900, 30)]), 30],
    ['NODATA: the SOA TTL when smaller', reply(RCODE.NOERROR, [], [soa(10, 30)]), 10],
    ['NXDOMAIN: capped', reply(RCODE.NXDOMAIN, [], [soa(86400, 86400)]), 1800],
    ['negative without SOA: not cached', reply(RCODE.NXDOMAIN, []), 0],
    ['SERVFAIL: not cached', reply(RCODE.SERVFAIL, []), 0],
    ['truncated: not cached', reply(RCODE.NOERROR, [a('x', 60)], [], true), 0],
  ])('%s', (_, msg, want) => {
    expect(cacheTtl(msg, 3600, 1800)).toBe(want);
  });
});

describe('DnsCache', () => {
  it('serves an answer with aged TTLs until it expires, keyed case-insensitively', () => {
    let now = 1_000_000;
    const cache = new DnsCache({ now: () => now });
    cache.put(q('www.example.com'), reply(RCODE.NOERROR, [a('www.example.com', 60), a('www.example.com', 100)]));
    now += 10_500;
    expect(cache.get(q('WWW.Example.COM'))!.answers.map((r) => r.ttl)).toEqual([50, 90]);
    expect(cache.get(q('www.example.com', TYPE.AAAA))).toBeUndefined();
    now += 49_500;
    expect(cache.get(q('www.example.com'))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not keep TTL 0 answers', () => {
    const cache = new DnsCache();
    cache.put(q('www.example.com'), reply(RCODE.NOERROR, [a('www.example.com', 0)]));
    expect(cache.get(q('www.example.com'))).toBeUndefined();
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new DnsCache({ maxEntries: 2 });
    for (const n of ['a.example', 'b.example']) cache.put(q(n), reply(RCODE.NOERROR, [a(n, 60)]));
    expect(cache.get(q('a.example'))).toBeDefined();
    cache.put(q('c.example'), reply(RCODE.NOERROR, [a('c.example', 60)]));
    expect(cache.size).toBe(2);
    expect(cache.get(q('b.example'))).toBeUndefined();
    expect(cache.get(q('a.example'))).toBeDefined();
    expect(cache.get(q('c.example'))).toBeDefined();
  });
});
