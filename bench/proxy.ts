/**
 * The service proxy benchmark, on this machine's real iptables (chains of a prefix of its own,
 * removed afterwards, also on failure):
 *
 *   rule sync   N Services × E endpoints (every tenth a NodePort): the first sync (render +
 *               iptables-restore of every chain), a full rewrite by a restarted proxy, and the
 *               sync after one endpoint change (what the proxy does on each change: render the
 *               whole set, restore the chains that changed), K times
 *   data path   a "pod" (network namespace on a tug-bridge network, busybox httpd) behind a
 *               ClusterIP Service that sorts last among the N (every new connection walks the
 *               whole services chain), and a client pod: a fixed number of HTTP GETs, keep-alive
 *               off, C in flight, straight to the pod IP and through the cluster IP, in
 *               alternating rounds so that noise on the machine hits both alike
 *
 * The sync is the proxy's own (buildServicePorts + renderServicePorts + the rule applier), timed
 * without the watch that triggers it.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { chainNames } from '../proxy/chains.js';
import { createProxyHost } from '../proxy/host.js';
import { createRuleApplier, type RuleApplier } from '../proxy/iptables.js';
import { buildServicePorts } from '../proxy/model.js';
import { renderServicePorts, type RenderOptions } from '../proxy/render.js';
import { testPrefix, testService, testSlice } from '../proxy/testing/fixtures.js';
import { startPodNetwork, type TestPod } from '../proxy/testing/pod-network.js';
import type { Cleanup } from './cleanup.js';
import type { LoadResult } from './load.js';
import { markdownTable, ms, perSecond, runHeader, type RunMeta } from './results.js';
import { summarize, type Summary } from './stats.js';

const run = promisify(execFile);

export interface ProxyBenchOptions {
  services: number;
  endpointsPerService: number;
  /** Measured syncs after one endpoint change. */
  changes: number;
  /** HTTP GETs per round and path. */
  requests: number;
  /** Rounds per path (direct, ClusterIP, direct, …). */
  rounds: number;
  /** GETs in flight. */
  concurrency: number;
}

export const DEFAULT_PROXY_BENCH: ProxyBenchOptions = { services: 1000, endpointsPerService: 5, changes: 10, requests: 1500, rounds: 6, concurrency: 8 };

const TARGETS = { changeSyncMs: 1000, throughputRatio: 0.95 };
const NAMESPACE = 'bench';
const PORT = 8080;
const CLIENT_TIMEOUT_MS = 300_000;

/**
 * The load client, run with node inside the client pod's namespace: `count` GETs of `url`, each on
 * a new connection, `concurrency` in flight; prints a LoadResult as JSON.
 */
const CLIENT = `
const http = require('node:http');
const [url, count, concurrency] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const latencies = [];
let next = 0, errors = 0, firstError;
const get = () => new Promise((resolve, reject) => {
  const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('HTTP ' + res.statusCode))));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', reject);
});
const start = performance.now();
let last = start;
const worker = async () => {
  while (next < count) {
    next++;
    const t0 = performance.now();
    try { await get(); latencies.push(performance.now() - t0); } catch (err) { errors++; firstError ??= err.message; }
    last = performance.now();
  }
};
Promise.all(Array.from({ length: concurrency }, worker)).then(() => process.stdout.write(JSON.stringify({ latencies, errors, firstError, elapsedMs: last - start })));
`;

export interface PathStats {
  requests: number;
  errors: number;
  firstError?: string;
  /** Successful GETs per second over all rounds. */
  rps: number;
  latency: Summary;
}

export interface ProxyBenchResults {
  options: ProxyBenchOptions;
  /** `iptables --version`, e.g. "iptables v1.8.9 (nf_tables)". */
  iptablesVersion: string;
  rules: { nat: number; filter: number; chains: number };
  /** buildServicePorts + renderServicePorts of the whole set. */
  renderMs: number;
  /** The first sync: every chain written. */
  firstSyncMs: number;
  /** A restarted proxy's first sync over the rules in place: learns them (iptables-save) and rewrites all. */
  fullRewriteMs: number;
  /** Syncs after one endpoint change. */
  changeSyncMs: Summary;
  direct: PathStats;
  clusterIP: PathStats;
}

/** The n-th address of a /16, e.g. ipOf('10.252', 258) = 10.252.1.2. */
const ipOf = (net16: string, n: number) => `${net16}.${(n >> 8) & 255}.${n & 255}`;
const serviceName = (i: number) => `svc-${String(i).padStart(5, '0')}`;

/**
 * Service i's EndpointSlice: E endpoints in 10.252.0.0/16; after the c-th change made to it, its
 * first endpoint is the c-th address of 10.251.0.0/16 instead.
 */
function benchSlice(o: ProxyBenchOptions, i: number, change = 0): EndpointSlice {
  const eps = Array.from({ length: o.endpointsPerService }, (_, e) => ({ ip: ipOf('10.252', i * o.endpointsPerService + e), nodeName: `node-${e}` }));
  if (change > 0) eps[0]!.ip = ipOf('10.251', change);
  return testSlice(NAMESPACE, serviceName(i), [{ name: 'http', port: PORT }], eps);
}

/** The benchmark's Services (cluster IPs in 10.253.0.0/16; every tenth a NodePort from 29000). */
function benchServices(o: ProxyBenchOptions): Service[] {
  return Array.from({ length: o.services }, (_, i) => {
    const nodePort = i % 10 === 0;
    return testService(NAMESPACE, serviceName(i), ipOf('10.253', i + 1), [{ name: 'http', port: 80, ...(nodePort ? { nodePort: 29000 + i / 10 } : {}) }], nodePort ? { type: 'NodePort' } : {});
  });
}

async function load(pod: TestPod, url: string, o: ProxyBenchOptions): Promise<LoadResult> {
  const { stdout } = await run('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', CLIENT, url, String(o.requests), String(o.concurrency)], { timeout: CLIENT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as LoadResult;
}

function pathStats(results: LoadResult[]): PathStats {
  const latencies = results.flatMap((r) => r.latencies);
  const elapsed = results.reduce((s, r) => s + r.elapsedMs, 0);
  return {
    requests: results.reduce((s, r) => s + r.latencies.length + r.errors, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    rps: elapsed > 0 ? (latencies.length / elapsed) * 1000 : 0,
    latency: summarize(latencies),
  };
}

export async function runProxyBenchmark(o: ProxyBenchOptions, cleanup: Cleanup, log: (message: string) => void): Promise<ProxyBenchResults> {
  const host = createProxyHost();
  const prefix = testPrefix();
  let applier: RuleApplier = createRuleApplier({ host, prefix });
  cleanup.add(`remove the ${prefix}- iptables chains`, () => createRuleApplier({ host, prefix }).cleanup());
  const podNet = await startPodNetwork();
  cleanup.add('remove the benchmark pod network', () => podNet.stop());
  const [server, client] = [await podNet.addPod('server'), await podNet.addPod('client')];
  await podNet.serveHttp(server, PORT, 'ok');

  const opts: RenderOptions = { nodeIPs: ['10.253.255.254'], clusterCIDR: podNet.subnet, prefix, localhostNodePorts: false };
  const clusterIP = '10.253.255.1';
  const target = {
    service: testService(NAMESPACE, 'web', clusterIP, [{ name: 'http', port: 80 }]),
    slice: testSlice(NAMESPACE, 'web', [{ name: 'http', port: PORT }], [{ ip: server.ip, nodeName: 'node-0' }]),
  };
  const names = chainNames(prefix);
  const services = [...benchServices(o), target.service];
  const slices = [...Array.from({ length: o.services }, (_, i) => benchSlice(o, i)), target.slice];
  const sync = async () => {
    const started = performance.now();
    const ports = buildServicePorts(services, slices, { nodeName: 'node-0' });
    const rules = renderServicePorts(ports, opts, names);
    const renderMs = performance.now() - started;
    await applier.apply(rules);
    return { ms: performance.now() - started, renderMs, rules };
  };

  log(`proxy: first sync of ${o.services} services × ${o.endpointsPerService} endpoints`);
  const first = await sync();
  applier = createRuleApplier({ host, prefix });
  const rewrite = await sync();
  const changes: number[] = [];
  for (let k = 1; k <= o.changes; k++) {
    const i = (k * 7919) % o.services;
    slices[i] = benchSlice(o, i, k);
    changes.push((await sync()).ms);
  }
  log(`proxy: sync after one change p50 ${summarize(changes).p50.toFixed(0)} ms; data path, ${o.rounds} rounds × ${o.requests} GETs per path`);

  const direct: LoadResult[] = [];
  const viaService: LoadResult[] = [];
  await load(client, `http://${clusterIP}/`, { ...o, requests: Math.min(200, o.requests) }); // warm-up
  for (let r = 0; r < o.rounds; r++) {
    direct.push(await load(client, `http://${server.ip}:${PORT}/`, o));
    viaService.push(await load(client, `http://${clusterIP}/`, o));
  }
  const count = (lines: string[]) => lines.filter((l) => l.startsWith('-A ')).length;
  return {
    options: o,
    iptablesVersion: (await run('iptables', ['--version'])).stdout.trim(),
    rules: { nat: count(first.rules.nat), filter: count(first.rules.filter), chains: [...first.rules.nat, ...first.rules.filter].filter((l) => l.startsWith(':')).length },
    renderMs: first.renderMs,
    firstSyncMs: first.ms,
    fullRewriteMs: rewrite.ms,
    changeSyncMs: summarize(changes),
    direct: pathStats(direct),
    clusterIP: pathStats(viaService),
  };
}

export function renderProxyResults(r: ProxyBenchResults, meta: RunMeta): string {
  const o = r.options;
  const yesNo = (ok: boolean) => (ok ? 'yes' : '**no**');
  const throughputRatio = r.clusterIP.rps / r.direct.rps;
  const sync = markdownTable(
    ['measurement', 'value', 'target', 'met?'],
    [
      [`sync after one endpoint change (p50 / max of ${r.changeSyncMs.count})`, `${ms(r.changeSyncMs.p50)} / ${ms(r.changeSyncMs.max)}`, `< ${TARGETS.changeSyncMs} ms`, yesNo(r.changeSyncMs.max < TARGETS.changeSyncMs)],
      ['first sync (every chain written)', ms(r.firstSyncMs), '—', '—'],
      ['restarted proxy: first sync over the rules in place (iptables-save, every chain rewritten)', ms(r.fullRewriteMs), '—', '—'],
      ['render alone (Services and slices → rule set)', ms(r.renderMs), '—', '—'],
      ['rule set size', `${r.rules.nat} nat + ${r.rules.filter} filter rules in ${r.rules.chains} chains`, '—', '—'],
    ],
  );
  const row = (name: string, p: PathStats, extra: string[]) => [name, String(p.requests), String(p.errors), perSecond(p.rps), ms(p.latency.p50), ms(p.latency.p99), ...extra];
  const data = markdownTable(
    ['path', 'GETs', 'errors', 'throughput', 'p50', 'p99', 'vs direct', 'target', 'met?'],
    [
      row('straight to the pod IP', r.direct, ['—', '—', '—']),
      row('through the ClusterIP', r.clusterIP, [`${throughputRatio.toFixed(3)}`, `≥ ${TARGETS.throughputRatio}`, yesNo(throughputRatio >= TARGETS.throughputRatio && r.clusterIP.errors === 0)]),
    ],
  );
  const firstError = r.direct.firstError ?? r.clusterIP.firstError;
  return [
    ...runHeader(meta),
    '',
    `Setup: the proxy's renderer and rule applier on this machine's iptables (${r.iptablesVersion}), chains of a prefix of the benchmark's own; ` +
      `${o.services} Services × ${o.endpointsPerService} endpoints (every tenth a NodePort) plus the measured Service.`,
    '',
    '### Rule sync',
    '',
    sync,
    '',
    '### Data path: HTTP GETs from a client pod, keep-alive off',
    '',
    data,
    ...(firstError ? ['', `First error: ${firstError}`] : []),
    '',
    '### Method',
    '',
    '- A sync is what the proxy does on every change: distil every Service and EndpointSlice, render the whole rule set, and apply it with one iptables-restore that rewrites only the chains that changed (one change: the service chain, the new endpoint chain, and the old endpoint chain deleted).',
    `- Data path: server and client are network namespaces on a tug-bridge network (as the agent wires pods); the server is busybox httpd (one process per connection). The client (node, in the client namespace) sends ${o.requests} GETs per round, each on a new connection, ${o.concurrency} in flight; ${o.rounds} rounds per path, alternating direct and ClusterIP. ` +
      `The measured Service sorts after the ${o.services} others, so every new connection through it first passes ${o.services} non-matching rules of the services chain.`,
    '- Throughput: successful GETs / summed round durations; latency per GET, connection set-up included.',
  ].join('\n');
}
