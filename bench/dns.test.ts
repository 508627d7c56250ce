import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../proxy/dns/decode.js';
import { Cleanup } from './cleanup.js';
import { QTYPE_A, encodeQuery } from './dns-client.js';
import { DEFAULT_DNS_BENCH, renderDnsResults, runDnsBenchmark } from './dns.js';

describe('encodeQuery', () => {
  it('writes a one-question recursive query a DNS decoder reads back', () => {
    const msg = decodeMessage(encodeQuery('svc-00001.bench-dns.svc.cluster.local', QTYPE_A));
    expect(msg).toMatchObject({ id: 0, qr: false, rd: true, questions: [{ name: 'svc-00001.bench-dns.svc.cluster.local', type: 1, class: 1 }], answers: [] });
  });
});

/** The whole benchmark at toy scale against real processes (needs `npm run build`). */
describe('runDnsBenchmark', () => {
  it('answers every lookup, sees every new Service, renders the section and stops everything', async () => {
    const messages: string[] = [];
    const cleanup = new Cleanup((m) => messages.push(m));
    let pids: number[] = [];
    try {
      const r = await runDnsBenchmark({ ...DEFAULT_DNS_BENCH, services: 50, queries: 2000, concurrency: 8, propagation: 3 }, cleanup, (m) => messages.push(m));
      pids = Object.values(r.monitor.pids);
      expect(r.phases.map((p) => [p.latency.count, p.result.errors])).toEqual([
        [2000, 0],
        [2000, 0],
      ]);
      expect([r.propagation.latency.count, r.propagation.missed]).toEqual([3, 0]);
      expect(r.startMs).toBeGreaterThan(0);
      const text = renderDnsResults(r, { command: 'test', machine: 'test machine', date: 'today', load: '0' });
      expect(text).toContain('lookups/s');
      expect(text).toContain('No failures.');
    } finally {
      await cleanup.run();
    }
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(messages.filter((m) => m.startsWith('cleanup'))).toEqual([]);
  });
});
