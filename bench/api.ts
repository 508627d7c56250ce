/**
 * The API server benchmark. Starts a private redis-server and the built `tug server` as real
 * processes on loopback, seeds N pods and measures, against those N pods stored:
 *
 *   create   the seeding POSTs (bounded concurrency)
 *   GET      one pod by name, open loop at a fixed rate (latency from the scheduled send time)
 *   update   merge PATCH of a label, and PUT of the whole object (bounded concurrency)
 *   LIST     every pod in one request as JSON (repeated) and once as a Table
 *   watch    write → event latency for every (write, watcher) pair with W watchers on all pods
 *   memory   RSS of the server (and redis) sampled from /proc through the run
 *
 * with redis itself as the in-run baseline: HGET of the same stored object at the same rate, and
 * HGETALL of the same hash for LIST. Every phase is bounded in count and in time.
 */
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { storageResource } from '../control-plane/api/registry.js';
import type { Cleanup } from './cleanup.js';
import { connectClients, sleep, startMonitor, startServerStack, within, withOutputTail } from './harness.js';
import type { BenchClient } from './http.js';
import { closedLoop, openLoop, throughput, type LoadResult } from './load.js';
import { benchNamespaces, benchPod, podRef } from './pods.js';
import type { ProcessMonitor } from './procfs.js';
import type { RedisProcess, TugServerProcess } from './processes.js';
import { markdownTable, mib, ms, perSecond, ratio, runHeader, type RunMeta } from './results.js';
import { summarize, type Summary } from './stats.js';

export interface ApiBenchOptions {
  pods: number;
  namespaces: number;
  /** In-flight requests while seeding and updating. */
  concurrency: number;
  getRate: number;
  getSeconds: number;
  /** Unrecorded open-loop GETs before each measured GET phase, in seconds. */
  warmupSeconds: number;
  patches: number;
  puts: number;
  listRepeats: number;
  watchers: number;
  watchWrites: number;
  /** Writes per second during the watch phase. */
  watchWriteRate: number;
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  serverNodeArgs: string[];
}

export const DEFAULT_API_BENCH: ApiBenchOptions = {
  pods: 10_000,
  namespaces: 5,
  concurrency: 8,
  getRate: 1000,
  getSeconds: 10,
  warmupSeconds: 2,
  patches: 3000,
  puts: 1000,
  listRepeats: 5,
  watchers: 100,
  watchWrites: 500,
  watchWriteRate: 50,
  serverNodeArgs: [],
};

const TARGETS = {
  getP99Ms: 10,
  createP99Ms: 20,
  watchP99Ms: 50,
  listMs: 500,
  rssBytes: 150e6,
};

/** Where the Redis store keeps pods (control-plane/store/redis/keys.ts, default prefix `tug:`). */
const PODS_HASH = 'tug:objects:core/pods';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const SERVER = 'tug server';
const REDIS = 'redis-server';
/** Time limits of the phases, in ms (they normally finish far sooner). */
const LIMIT = { seed: 120_000, updates: 60_000, drain: 10_000, watchStart: 15_000, watchDelivery: 30_000 };
/** The label value of the watch phase's unmeasured first write. */
const PRIMER = '"bench-watch":"primer"';

const PODS = storageResource('core/pods');
const NAMESPACES = storageResource('core/namespaces');

interface Row {
  operation: string;
  result: LoadResult;
  summary: Summary;
  target: string;
  met?: boolean;
  /** Overrides the computed throughput cell. */
  throughput?: string;
}

function row(operation: string, result: LoadResult, target = '—', met?: (s: Summary, r: LoadResult) => boolean): Row {
  const summary = summarize(result.latencies);
  return { operation, result, summary, target, met: met?.(summary, result) };
}

const yesNo = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'yes' : '**no**');

/** Everything one run measured, rendered by renderApiResults. */
export interface ApiBenchResults {
  options: ApiBenchOptions;
  rows: Row[];
  baselines: { operation: string; api: Summary; redis: Summary }[];
  details: string[];
  monitor: ProcessMonitor;
  rss: { idle: number; afterSeed: number; peak: number; redisPeak: number };
}

export async function runApiBenchmark(opts: ApiBenchOptions, cleanup: Cleanup, log: (msg: string) => void): Promise<ApiBenchResults> {
  log('starting redis-server and tug server');
  const { redis, server } = await startServerStack(cleanup, opts.serverNodeArgs);
  return withOutputTail(log, 'tug server', server.output, () => measure(opts, cleanup, log, redis, server));
}

async function measure(
  opts: ApiBenchOptions,
  cleanup: Cleanup,
  log: (msg: string) => void,
  redisProc: RedisProcess,
  server: TugServerProcess,
): Promise<ApiBenchResults> {
  const { api, http } = connectClients(cleanup, server, 64);
  const redis = new Redis(redisProc.url, { maxRetriesPerRequest: 1 });
  cleanup.add('close the redis client', async () => redis.disconnect());
  const monitor = startMonitor(cleanup, { [SERVER]: server.pid, [REDIS]: redisProc.pid });
  const rows: Row[] = [];
  const baselines: ApiBenchResults['baselines'] = [];
  const details: string[] = [];
  await sleep(1000);
  const idle = monitor.mark('server idle after start').usage[SERVER]!.endRss;

  // Seed: namespaces, then the pods; the POSTs are the create measurement.
  const namespaces = benchNamespaces(opts.namespaces);
  for (const name of namespaces) await api.create(NAMESPACES, undefined, { metadata: { name } });
  const podPath = (i: number) => {
    const ref = podRef(namespaces, i);
    return api.path(PODS, ref.namespace, ref.name);
  };
  log(`seeding ${opts.pods} pods (${opts.concurrency} in flight)`);
  const bodies = Array.from({ length: opts.pods }, (_, i) => JSON.stringify(benchPod(namespaces, i)));
  const seed = await closedLoop(opts.pods, opts.concurrency, LIMIT.seed, async (i) => {
    await http.ok('POST', api.path(PODS, podRef(namespaces, i).namespace), { body: bodies[i] });
  });
  rows.push(row(`create pod (seed, ${opts.concurrency} in flight)`, seed, `p99 < ${TARGETS.createP99Ms} ms`, (s, r) => s.p99 < TARGETS.createP99Ms && r.errors === 0));
  const afterSeed = monitor.mark('seed (create)', opts.pods).usage[SERVER]!.endRss;
  if (seed.errors > 0) throw new Error(`seeding failed for ${seed.errors} pods: ${seed.firstError}`);

  // GET one pod by name, open loop; then the same reads straight from redis as the baseline.
  const spread = (i: number) => (i * 7919) % opts.pods;
  const member = (i: number) => {
    const ref = podRef(namespaces, spread(i));
    return `${ref.namespace}/${ref.name}`;
  };
  const apiGet = async (i: number) => {
    await http.ok('GET', podPath(spread(i)));
  };
  const redisGet = async (i: number) => {
    if ((await redis.hget(PODS_HASH, member(i))) === null) throw new Error(`${PODS_HASH} has no ${member(i)}: the store's key layout changed`);
  };
  const rate = { rate: opts.getRate, drainMs: LIMIT.drain };
  log(`GET one pod at ${opts.getRate}/s for ${opts.getSeconds} s (+${opts.warmupSeconds} s warm-up)`);
  await openLoop({ ...rate, durationMs: opts.warmupSeconds * 1000 }, apiGet);
  const get = await openLoop({ ...rate, durationMs: opts.getSeconds * 1000 }, apiGet);
  const getRow = row(`GET one pod (open loop, ${opts.getRate}/s offered)`, get, `p99 < ${TARGETS.getP99Ms} ms at ${opts.getRate} req/s`, (s, r) => s.p99 < TARGETS.getP99Ms && r.errors === 0 && throughput(r) >= 0.98 * opts.getRate);
  rows.push(getRow);
  monitor.mark('GET one pod', get.latencies.length + get.errors);
  log('baseline: HGET of the same objects from redis');
  await openLoop({ ...rate, durationMs: opts.warmupSeconds * 1000 }, redisGet);
  const hgets = await openLoop({ ...rate, durationMs: opts.getSeconds * 1000 }, redisGet);
  const hget = summarize(hgets.latencies);
  baselines.push({ operation: `GET one pod vs redis HGET of it (${opts.getRate}/s open loop)`, api: getRow.summary, redis: hget });
  monitor.mark('baseline: redis HGET', hgets.latencies.length + hgets.errors);

  // LIST every pod, as JSON (repeated) and as a Table; HGETALL of the same hash as the baseline.
  log(`LIST all pods x${opts.listRepeats}, as Table x1, HGETALL x${opts.listRepeats}`);
  let listBody: Buffer = Buffer.alloc(0);
  const list = await closedLoop(opts.listRepeats, 1, LIMIT.updates, async () => {
    listBody = (await http.ok('GET', api.path(PODS, undefined))).body;
  });
  const listBytes = listBody.length;
  const listed = countItems(listBody);
  const listRow = row(`LIST all ${opts.pods} pods as JSON (×${opts.listRepeats}; p99 = max)`, list, `< ${TARGETS.listMs} ms`, (s, r) => s.max < TARGETS.listMs && r.errors === 0 && listed === opts.pods);
  rows.push(listRow);
  let tableBytes = 0;
  const table = await closedLoop(1, 1, LIMIT.updates, async () => {
    tableBytes = (await http.ok('GET', api.path(PODS, undefined), { accept: TABLE_ACCEPT })).body.length;
  });
  rows.push(row(`LIST all ${opts.pods} pods as Table (×1)`, table));
  monitor.mark('LIST', opts.listRepeats + 1);
  let hash: Record<string, string> = {};
  const hgetall = await closedLoop(opts.listRepeats, 1, LIMIT.updates, async () => {
    hash = await redis.hgetall(PODS_HASH);
  });
  const hashBytes = Object.values(hash).reduce((n, v) => n + Buffer.byteLength(v), 0);
  baselines.push({ operation: `LIST all pods vs redis HGETALL of their hash (×${opts.listRepeats}; p99 = max)`, api: listRow.summary, redis: summarize(hgetall.latencies) });
  details.push(
    `LIST answer: ${listed} items, ${mib(listBytes)} JSON (${(listBytes / Math.max(1, listed)).toFixed(0)} B per pod); Table answer ${mib(tableBytes)}; the redis hash holds ${mib(hashBytes)}.`,
  );
  monitor.mark('baseline: redis HGETALL', opts.listRepeats);

  // Updates: merge PATCH of a label, then PUT of whole objects read beforehand (not timed).
  log(`update: ${opts.patches} merge PATCHes, ${opts.puts} PUTs`);
  const patch = await closedLoop(opts.patches, opts.concurrency, LIMIT.updates, async (i) => {
    await http.ok('PATCH', podPath(spread(i)), { body: JSON.stringify({ metadata: { labels: { 'bench-update': `u${i}` } } }), contentType: 'application/merge-patch+json' });
  });
  rows.push(row(`update pod: merge PATCH of a label (${opts.concurrency} in flight)`, patch));
  monitor.mark('update: merge PATCH', opts.patches);
  const current: any[] = JSON.parse((await http.ok('GET', api.path(PODS, undefined))).body.toString('utf8')).items;
  monitor.mark('one LIST to read objects for the PUTs (untimed)', 1);
  const step = Math.max(1, Math.floor(current.length / opts.puts));
  const putBodies = Array.from({ length: Math.min(opts.puts, current.length) }, (_, i) => {
    const pod = current[i * step];
    pod.metadata.labels['bench-put'] = `p${i}`;
    return { path: api.path(PODS, pod.metadata.namespace, pod.metadata.name), body: JSON.stringify(pod) };
  });
  const put = await closedLoop(putBodies.length, opts.concurrency, LIMIT.updates, async (i) => {
    await http.ok('PUT', putBodies[i]!.path, { body: putBodies[i]!.body });
  });
  rows.push(row(`update pod: PUT of the whole object (${opts.concurrency} in flight)`, put));
  monitor.mark('update: PUT', putBodies.length);

  // Watch delivery.
  log(`watch: ${opts.watchers} watchers, ${opts.watchWrites} writes at ${opts.watchWriteRate}/s`);
  const watch = await watchDelivery(opts, http, api.path(PODS, undefined), podPath);
  rows.push(watch.writes, watch.delivery);
  details.push(watch.detail);
  monitor.mark('watch delivery (per write)', opts.watchWrites);
  monitor.stop();

  return {
    options: opts,
    rows,
    baselines,
    details,
    monitor,
    rss: { idle, afterSeed, peak: monitor.peakRss(SERVER), redisPeak: monitor.peakRss(REDIS) },
  };
}

/** The number of items of a LIST answer (parsed, outside the timing, so that a short or broken answer is noticed). */
function countItems(body: Buffer): number {
  return (JSON.parse(body.toString('utf8')).items ?? []).length;
}

/**
 * Opens `watchers` watches on every pod from the current resourceVersion, then writes a distinct
 * label value (`bench-watch: w<seq>`) to a pod `watchWrites` times at a steady rate, and records
 * for every (write, watcher) pair the time from the write's send to that watcher receiving it.
 */
async function watchDelivery(opts: ApiBenchOptions, http: BenchClient, podsPath: string, podPath: (i: number) => string): Promise<{ writes: Row; delivery: Row; detail: string }> {
  const writes = opts.watchWrites;
  const rv = JSON.parse((await http.ok('GET', `${podsPath}?limit=1`)).body.toString('utf8')).metadata.resourceVersion;
  const sentAt = new Float64Array(writes).fill(NaN);
  const latency = new Float64Array(opts.watchers * writes).fill(NaN);
  const received = new Int32Array(opts.watchers);
  const errors: string[] = [];
  let lastArrival = 0;
  let primed = 0;
  const label = /"bench-watch":"w(\d+)"/;
  const handles = Array.from({ length: opts.watchers }, (_, w) =>
    http.watch(`${podsPath}?watch=1&resourceVersion=${rv}`, (line, at) => {
      const m = label.exec(line);
      if (!m) {
        if (line.includes(PRIMER)) primed++;
        else if (line.startsWith('{"type":"ERROR"')) errors.push(line.slice(0, 300));
        return;
      }
      const seq = Number(m[1]);
      const k = w * writes + seq;
      if (seq < writes && Number.isNaN(latency[k]!)) {
        latency[k] = at - sentAt[seq]!;
        received[w]!++;
        lastArrival = at;
      }
    }),
  );
  try {
    // One unmeasured write that every watcher must see first: the watches start at `rv`, so it
    // reaches each of them however late its stream was set up, and proves every stream is live.
    await http.ok('PATCH', podPath(0), { body: JSON.stringify({ metadata: { labels: { 'bench-watch': 'primer' } } }), contentType: 'application/merge-patch+json' });
    await within(LIMIT.watchStart, 'every watch to answer', Promise.all(handles.map((h) => h.ready)));
    const primeDeadline = performance.now() + LIMIT.watchStart;
    while (primed < opts.watchers && performance.now() < primeDeadline) await sleep(20);
    if (primed < opts.watchers) throw new Error(`only ${primed} of ${opts.watchers} watches saw the first write within ${LIMIT.watchStart} ms`);
    const writeStart = performance.now();
    const writeResult = await openLoop({ rate: opts.watchWriteRate, durationMs: (writes / opts.watchWriteRate) * 1000, drainMs: LIMIT.drain }, async (seq) => {
      const body = JSON.stringify({ metadata: { labels: { 'bench-watch': `w${seq}` } } });
      sentAt[seq] = performance.now();
      await http.ok('PATCH', podPath((seq * 13) % opts.pods), { body, contentType: 'application/merge-patch+json' });
    });
    const deadline = performance.now() + LIMIT.watchDelivery;
    const expected = opts.watchers * writes;
    const total = () => received.reduce((a, b) => a + b, 0);
    while (total() < expected && performance.now() < deadline) await sleep(50);
    const delivered = total();
    const samples = latency.filter((x) => !Number.isNaN(x));
    const deliveryResult: LoadResult = { latencies: Array.from(samples), errors: expected - delivered, elapsedMs: lastArrival - writeStart };
    const writesRow = row(`update pod: merge PATCH during the watch (${opts.watchWriteRate}/s, ${opts.watchers} watchers)`, writeResult);
    const deliveryRow = row(`watch delivery: write → event, ${opts.watchers} watchers × ${writes} writes`, deliveryResult, `p99 < ${TARGETS.watchP99Ms} ms, every event`, (s) => s.p99 < TARGETS.watchP99Ms && delivered === expected);
    deliveryRow.throughput = perSecond(throughput(deliveryResult), 'events');
    const perWatcher = Array.from(received);
    const detail =
      `Watch: each watcher received between ${Math.min(...perWatcher)} and ${Math.max(...perWatcher)} of ${writes} events ` +
      `(${delivered} of ${expected} in all)${errors.length ? `; ERROR events: ${errors.length}, first: \`${errors[0]}\`` : ''}.`;
    return { writes: writesRow, delivery: deliveryRow, detail };
  } finally {
    for (const h of handles) h.stop();
  }
}

/** The Markdown body of the API server section of bench/RESULTS.md. */
export function renderApiResults(r: ApiBenchResults, meta: RunMeta): string {
  const o = r.options;
  const headline = markdownTable(
    ['operation', 'count', 'errors', 'throughput', 'p50', 'p99', 'target', 'met?'],
    r.rows.map((x) => [x.operation, String(x.summary.count), String(x.result.errors), x.throughput ?? perSecond(throughput(x.result)), ms(x.summary.p50), ms(x.summary.p99), x.target, yesNo(x.met)]),
  );
  const memoryMet = r.rss.peak < TARGETS.rssBytes;
  const memory = markdownTable(
    ['process', 'idle after start', `after seeding ${o.pods} pods`, 'peak during run', 'target', 'met?'],
    [
      [SERVER, mib(r.rss.idle), mib(r.rss.afterSeed), mib(r.rss.peak), `peak < 150 MB (${mib(TARGETS.rssBytes)})`, yesNo(memoryMet)],
      [`${REDIS} (reference)`, '', '', mib(r.rss.redisPeak), '—', '—'],
    ],
  );
  const baseline = markdownTable(
    ['comparison', 'API p50', 'API p99', 'redis p50', 'redis p99', 'API/redis p50', 'API/redis p99'],
    r.baselines.map((b) => [b.operation, ms(b.api.p50), ms(b.api.p99), ms(b.redis.p50), ms(b.redis.p99), ratio(b.api.p50, b.redis.p50), ratio(b.api.p99, b.redis.p99)]),
  );
  const cores = (x: number) => `${(x * 100).toFixed(0)} %`;
  const phases = markdownTable(
    ['phase', 'wall', 'ops', `${SERVER} CPU`, `${SERVER} CPU per op`, `${REDIS} CPU`, 'bench client CPU', `${SERVER} RSS peak / end`],
    r.monitor.phases.map((p) => [
      p.phase,
      `${(p.wallMs / 1000).toFixed(1)} s`,
      p.ops ? String(p.ops) : '',
      cores(p.usage[SERVER]!.cpuCores),
      p.ops ? ms((p.usage[SERVER]!.cpuCores * p.wallMs) / p.ops) : '',
      cores(p.usage[REDIS]!.cpuCores),
      cores(p.usage['bench client']!.cpuCores),
      `${mib(p.usage[SERVER]!.peakRss)} / ${mib(p.usage[SERVER]!.endRss)}`,
    ]),
  );
  const missed = r.rows.filter((x) => x.met === false).map((x) => x.operation);
  if (!memoryMet) missed.push(`${SERVER} RSS`);
  return [
    ...runHeader(meta),
    '',
    `Setup: a private redis-server (AOF on, appendfsync everysec) and the built \`tug server\` (log level warn), both on loopback, ` +
      `client, server and redis on the same machine. ${o.pods} pods over ${o.namespaces} namespaces. ` +
      `HTTPS with keep-alive (up to 64 sockets); latency is measured at the client to the last byte of the answer.`,
    '',
    headline,
    '',
    missed.length ? `Missed: ${missed.join('; ')}.` : 'Every target met.',
    '',
    '### Memory (VmRSS from /proc, sampled every 100 ms)',
    '',
    memory,
    '',
    '### Baseline in the same run: redis directly (ioredis, one connection)',
    '',
    baseline,
    '',
    '### Resources by phase (CPU: 100 % = one core busy)',
    '',
    phases,
    '',
    '### Method',
    '',
    `- create: the seeding POSTs, ${o.concurrency} in flight; latency per request.`,
    `- GET: a timer schedules ${o.getRate} GETs/s of pods spread over the data set for ${o.getSeconds} s after ${o.warmupSeconds} s unrecorded warm-up; ` +
      `latency counts from the scheduled send time, so client or server stalls are not hidden (no coordinated omission). ` +
      `Throughput is answers per second achieved; the target needs ≥ 98 % of the offered rate and no errors.`,
    `- update: ${o.patches} merge PATCHes of a label on pods spread over the data set, then ${o.puts} PUTs of whole objects read by a LIST beforehand, ${o.concurrency} in flight.`,
    `- LIST: GET /api/v1/pods without limit, ${o.listRepeats} times one after another, timed to the last byte; once more as a meta.k8s.io Table.`,
    `- watch: ${o.watchers} concurrent watches of all pods from the current resourceVersion; then ${o.watchWrites} merge PATCHes at ${o.watchWriteRate}/s, each setting a unique label value; ` +
      `for every (write, watcher) pair the time from the PATCH being sent to the event arriving at that watcher. Missing events count as errors.`,
    `- baseline: HGET of the same stored objects from redis at the same rate and schedule as the GETs; HGETALL of the pods' hash (\`${PODS_HASH}\`) for LIST.`,
    ...r.details.map((d) => `- ${d}`),
  ].join('\n');
}
