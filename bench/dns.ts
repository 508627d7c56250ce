/**
 * The cluster DNS benchmark. Starts a private redis-server and the built `tug server`, creates S
 * ClusterIP Services, then starts the node's DNS server (the built proxy/dns, in a process of its
 * own, as an agent runs it) on loopback and measures, over UDP:
 *
 *   startup      process spawn → the informers have listed the S Services
 *   lookups      A queries for random Services (NOERROR), then the NXDOMAIN a pod's search path
 *                produces for a qualified name (ndots 5), each a bounded closed loop of Q queries
 *                with C in flight: lookups per second and latency
 *   propagation  Service create answered by the API → its name answered by the DNS server
 *
 * Every phase is bounded in count and time.
 */
import { performance } from 'node:perf_hooks';
import { storageResource } from '../control-plane/api/registry.js';
import { ApiClient } from '../control-plane/client/api-client.js';
import type { Cleanup } from './cleanup.js';
import { QTYPE_A, RCODE_NOERROR, RCODE_NXDOMAIN, UdpDnsClient, encodeQuery } from './dns-client.js';
import { startDnsProcess } from './dns-process.js';
import { startMonitor, startServerStack } from './harness.js';
import { closedLoop, throughput, type LoadResult } from './load.js';
import type { ProcessMonitor } from './procfs.js';
import { markdownTable, mib, ms, perSecond, runHeader, type RunMeta } from './results.js';
import { summarize, type Summary } from './stats.js';

export interface DnsBenchOptions {
  /** ClusterIP Services in the cluster. */
  services: number;
  /** Measured queries per lookup phase. */
  queries: number;
  /** Queries in flight. */
  concurrency: number;
  /** Services created one at a time for the propagation measurement. */
  propagation: number;
  /** Extra node flags for the DNS server process (e.g. --cpu-prof). */
  dnsNodeArgs: string[];
}

export const DEFAULT_DNS_BENCH: DnsBenchOptions = {
  services: 1000,
  queries: 200_000,
  concurrency: 64,
  propagation: 20,
  dnsNodeArgs: [],
};

const NAMESPACE = 'bench-dns';
const ZONE = 'cluster.local';
const DNS = 'DNS server';
const CLIENT = 'bench client';
const WARMUP_QUERIES = 5000;
/** Time limits, in ms. */
const LIMIT = { seed: 120_000, phase: 120_000, propagation: 5000 };
const SERVICES = storageResource('core/services');
const NAMESPACES = storageResource('core/namespaces');

const serviceName = (i: number) => `svc-${String(i).padStart(5, '0')}`;
const fqdn = (name: string) => `${name}.${NAMESPACE}.svc.${ZONE}`;

/** One lookup phase: what was asked, what each answer had to be, and how it went. */
export interface LookupPhase {
  name: string;
  expect: string;
  result: LoadResult;
  latency: Summary;
  /** CPU of the DNS server and of the benchmark client during the phase (1 = one core busy). */
  dnsCpu: number;
  clientCpu: number;
}

export interface DnsBenchResults {
  options: DnsBenchOptions;
  /** DNS process spawn → informers listed, in ms. */
  startMs: number;
  /** DNS server RSS once started, and its peak over the run. */
  rss: { started: number; peak: number };
  phases: LookupPhase[];
  /** Create answered → first NOERROR answer, per Service (ms); `missed`: not answered within the limit. */
  propagation: { latency: Summary; missed: number };
  monitor: ProcessMonitor;
}

export async function runDnsBenchmark(opts: DnsBenchOptions, cleanup: Cleanup, log: (msg: string) => void): Promise<DnsBenchResults> {
  log('starting redis-server and tug server');
  const { server } = await startServerStack(cleanup);
  const api = new ApiClient({ server: server.url, token: server.adminToken, caCertPem: server.caCertPem, userAgent: 'tugboat-bench' });
  cleanup.add('close the API client', async () => api.close());
  await api.create(NAMESPACES, undefined, { metadata: { name: NAMESPACE } });

  log(`creating ${opts.services} Services`);
  const seeded = await closedLoop(opts.services, 16, LIMIT.seed, async (i) => {
    await api.create(SERVICES, NAMESPACE, { metadata: { name: serviceName(i) }, spec: { ports: [{ name: 'http', port: 80 }] } });
  });
  if (seeded.errors) throw new Error(`creating Services failed for ${seeded.errors}: ${seeded.firstError}`);

  log('starting the DNS server process');
  const dnsProc = await startDnsProcess(cleanup, server, opts.dnsNodeArgs);
  const client = new UdpDnsClient(dnsProc.port);
  cleanup.add('close the DNS client', async () => client.close());
  const monitor = startMonitor(cleanup, { [DNS]: dnsProc.pid }, CLIENT);
  const started = monitor.mark('started');

  const hits = Array.from({ length: opts.services }, (_, i) => encodeQuery(fqdn(serviceName(i)), QTYPE_A));
  const misses = Array.from({ length: opts.services }, (_, i) => encodeQuery(`${fqdn(serviceName(i))}.${NAMESPACE}.svc.${ZONE}`, QTYPE_A));
  const pick = (i: number) => (i * 7919) % opts.services;
  const check = async (query: Buffer, rcode: number, answers: boolean) => {
    const a = await client.send(query);
    if (a.rcode !== rcode || a.answers > 0 !== answers) throw new Error(`unexpected answer: rcode ${a.rcode}, ${a.answers} answers`);
  };

  log('warming up');
  await closedLoop(WARMUP_QUERIES, opts.concurrency, LIMIT.phase, (i) => check(hits[pick(i)]!, RCODE_NOERROR, true));
  monitor.mark('warm-up');

  const phases: LookupPhase[] = [];
  const measure = async (name: string, expect: string, op: (i: number) => Promise<void>) => {
    log(`measuring: ${name}`);
    const result = await closedLoop(opts.queries, opts.concurrency, LIMIT.phase, op);
    const report = monitor.mark(name, result.latencies.length);
    phases.push({ name, expect, result, latency: summarize(result.latencies), dnsCpu: report.usage[DNS]!.cpuCores, clientCpu: report.usage[CLIENT]!.cpuCores });
  };
  await measure(`A of a Service (${opts.services} Services)`, 'NOERROR, 1 answer', (i) => check(hits[pick(i)]!, RCODE_NOERROR, true));
  await measure('search-path miss (`<svc>.<ns>.svc.cluster.local.<ns>.svc.cluster.local`)', 'NXDOMAIN', (i) => check(misses[pick(i)]!, RCODE_NXDOMAIN, false));

  log(`measuring propagation over ${opts.propagation} Services`);
  const delays: number[] = [];
  let missed = 0;
  for (let k = 0; k < opts.propagation; k++) {
    const name = `late-${k}`;
    const query = encodeQuery(fqdn(name), QTYPE_A);
    await api.create(SERVICES, NAMESPACE, { metadata: { name }, spec: { ports: [{ port: 80 }] } });
    const created = performance.now();
    for (;;) {
      const a = await client.send(query);
      if (a.rcode === RCODE_NOERROR && a.answers > 0) {
        delays.push(performance.now() - created);
        break;
      }
      if (performance.now() - created > LIMIT.propagation) {
        missed++;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  monitor.mark('propagation', opts.propagation);
  return {
    options: opts,
    startMs: dnsProc.startMs,
    rss: { started: started.usage[DNS]!.endRss, peak: monitor.peakRss(DNS) },
    phases,
    propagation: { latency: summarize(delays), missed },
    monitor,
  };
}

const percentOfCore = (cores: number) => `${(cores * 100).toFixed(0)} %`;

/** The Markdown body of the cluster DNS section of bench/RESULTS.md. */
export function renderDnsResults(r: DnsBenchResults, meta: RunMeta): string {
  const o = r.options;
  const lookups = markdownTable(
    ['queries', 'answer', 'answered', 'errors', 'lookups/s', 'p50', 'p99', 'max', `${DNS} CPU`, `${CLIENT} CPU`],
    r.phases.map((p) => [
      p.name,
      p.expect,
      String(p.latency.count),
      String(p.result.errors),
      perSecond(throughput(p.result)),
      ms(p.latency.p50),
      ms(p.latency.p99),
      ms(p.latency.max),
      percentOfCore(p.dnsCpu),
      percentOfCore(p.clientCpu),
    ]),
  );
  const errors = r.phases.filter((p) => p.result.errors > 0).map((p) => `${p.name}: ${p.result.errors} (first: ${p.result.firstError})`);
  const pr = r.propagation;
  return [
    ...runHeader(meta),
    '',
    `Setup: a private redis-server and the built \`tug server\` (log level warn) with ${o.services} ClusterIP Services in one namespace; ` +
      `the node's DNS server (the built proxy/dns, as an agent starts it) in a process of its own on 127.0.0.1, log level error. ` +
      `The benchmark client asks it over UDP from one socket, ${o.concurrency} queries in flight.`,
    '',
    lookups,
    '',
    errors.length ? `Failures: ${errors.join('; ')}.` : 'No failures.',
    '',
    `Startup: spawn → Services, EndpointSlices and Namespaces listed and answering: ${ms(r.startMs)}. ` +
      `${DNS} RSS: ${mib(r.rss.started)} once started, ${mib(r.rss.peak)} peak.`,
    '',
    `Propagation (a Service created → its name answered; ${pr.latency.count} Services, one at a time, polled every ~1 ms): ` +
      `p50 ${ms(pr.latency.p50)}, p99 ${ms(pr.latency.p99)}, max ${ms(pr.latency.max)}` +
      (pr.missed ? `; **${pr.missed} not answered within ${LIMIT.propagation / 1000} s**.` : '.'),
    '',
    '### Method',
    '',
    `- each lookup phase is a closed loop of ${o.queries} queries (after ${WARMUP_QUERIES} unmeasured), ${o.concurrency} in flight, over the ${o.services} names ` +
      'in a fixed scattered order; latency is send → answer matched by id; an answer with the wrong rcode or answer count is an error.',
    '- the client runs in the benchmark process on the same machine and competes with the server for CPU: its CPU column shows how much. ' +
      'Lookups per second are therefore a lower bound for the server alone.',
    '- names outside the cluster zone (forwarded to the host resolvers, cached) are not measured: their speed is the upstream\'s.',
  ].join('\n');
}
