/**
 * The scheduler benchmark. Starts a private redis-server and the built `tug server` as real
 * processes on loopback, registers N simulated nodes (Node objects with capacity and a Ready
 * condition; no agent) and measures:
 *
 *   throughput  P pods (one container, requests 100m / 128Mi) created with bounded concurrency:
 *               pods bound per second from the first create sent to the last binding seen
 *   latency     per pod, create sent → spec.nodeName seen on a watch of the pods opened before
 *   deployment  a Deployment of R replicas: create sent → all its pods bound
 *
 * The scheduler is the server's own when it runs one (a probe pod gets bound); otherwise the
 * benchmark starts the built scheduler in a separate process against the server and says so.
 * Likewise the Deployment phase needs the deployment and replicaset controllers; without them it
 * measures R pods created in one burst with a ReplicaSet as their controller, and says so.
 * Every phase is bounded in time.
 */
import { performance } from 'node:perf_hooks';
import { storageResource } from '../control-plane/api/registry.js';
import type { ApiClient } from '../control-plane/client/api-client.js';
import type { Cleanup } from './cleanup.js';
import { connectClients, sleep, startMonitor, startServerStack, withOutputTail } from './harness.js';
import type { BenchClient } from './http.js';
import { closedLoop, throughput, type LoadResult } from './load.js';
import type { PhaseReport, ProcessMonitor } from './procfs.js';
import type { TugServerProcess } from './processes.js';
import { markdownTable, mib, ms, perSecond, runHeader, type RunMeta } from './results.js';
import { startSchedulerProcess } from './scheduler-process.js';
import { summarize, type Summary } from './stats.js';

export interface SchedulerBenchOptions {
  nodes: number;
  pods: number;
  /** Pod creates in flight. */
  concurrency: number;
  /** Replicas of the Deployment phase. */
  replicas: number;
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  serverNodeArgs: string[];
}

export const DEFAULT_SCHEDULER_BENCH: SchedulerBenchOptions = {
  nodes: 1000,
  pods: 5000,
  concurrency: 16,
  replicas: 50,
  serverNodeArgs: [],
};

/** Each simulated node's allocatable resources; nodes are spread over ZONES zones. */
const NODE_SHAPE = { cpu: '32', memory: '128Gi', pods: '110' };
const ZONES = 10;
const POD_REQUESTS = { cpu: '100m', memory: '128Mi' };
const TARGET_PODS_PER_SECOND = 1000;
const NAMESPACE = 'bench-scheduler';
const NODE_CONCURRENCY = 16;
const SERVER = 'tug server';
const REDIS = 'redis-server';
const SCHEDULER = 'scheduler (separate process)';
const BACKLOG = 'backlog scheduler';
/** The backlog phase's pods name this scheduler, which only its own process serves. */
const BACKLOG_SCHEDULER = 'bench-backlog-scheduler';
/** Time limits, in ms. */
const LIMIT = { nodes: 120_000, probe: 10_000, schedulerProbe: 60_000, pods: 300_000, deploymentStart: 10_000, deployment: 120_000 };

const PODS = storageResource('core/pods');
const NODES = storageResource('core/nodes');
const NAMESPACES = storageResource('core/namespaces');
const DEPLOYMENTS = storageResource('apps/deployments');
const REPLICASETS = storageResource('apps/replicasets');

/** Polls `done` every 50 ms; false when `limitMs` passed first. */
async function until(done: () => boolean | Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (!(await done())) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Simulated node `i`, as a node agent would register it. */
export function benchNode(i: number): any {
  const name = `sim-node-${String(i).padStart(4, '0')}`;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } },
    spec: {},
    status: {
      capacity: NODE_SHAPE,
      allocatable: NODE_SHAPE,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated node', lastHeartbeatTime: now, lastTransitionTime: now }],
      nodeInfo: { kubeletVersion: 'v1.33.0-tugboat-sim', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

/** A pod template spec of the workload: one container requesting POD_REQUESTS. */
function podSpec(): any {
  return { containers: [{ name: 'app', image: 'registry.example.com/bench/app:1.0', resources: { requests: POD_REQUESTS } }] };
}

export const podName = (prefix: string, i: number) => `${prefix}-${String(i).padStart(5, '0')}`;

/** Bindings seen on the watch: pod name → node and arrival time. */
type Bindings = Map<string, { node: string; at: number }>;

/** Pods of one phase: how fast they were created and bound. */
export interface PodPhase {
  creates: LoadResult;
  /** Create sent → bound, per pod bound in time. */
  latency: Summary;
  /** First create sent → last bound, in ms. */
  spanMs: number;
  bound: number;
}

/** A backlog of pods no scheduler served, then one scheduler started: how fast it drained it. */
export interface BacklogPhase {
  creates: LoadResult;
  /** Scheduler start (its informers listed) → last bound, in ms. */
  drainMs: number;
  bound: number;
  /** That scheduler's CPU per pod bound, in ms. */
  cpuPerPodMs: number;
}

export interface SchedulerBenchResults {
  options: SchedulerBenchOptions;
  /** Which scheduler served the pods of the first phase and the Deployment. */
  schedulerSource: 'server' | 'separate process';
  registration: LoadResult;
  pods: PodPhase;
  backlog: BacklogPhase;
  /** Pods per node at the end: fewest and most. */
  perNode: { min: number; max: number };
  /** What the Deployment phase measured: the Deployment, or (without its controllers) a burst of owned pods. */
  deployment: { kind: 'Deployment' | 'burst'; replicas: number; ms: number; bound: number };
  monitor: ProcessMonitor;
}

export async function runSchedulerBenchmark(opts: SchedulerBenchOptions, cleanup: Cleanup, log: (msg: string) => void): Promise<SchedulerBenchResults> {
  log('starting redis-server and tug server');
  const { redis, server } = await startServerStack(cleanup, opts.serverNodeArgs);
  return withOutputTail(log, 'tug server', server.output, () => measure(opts, cleanup, log, { [SERVER]: server.pid, [REDIS]: redis.pid }, server));
}

async function measure(
  opts: SchedulerBenchOptions,
  cleanup: Cleanup,
  log: (msg: string) => void,
  pids: Record<string, number>,
  server: TugServerProcess,
): Promise<SchedulerBenchResults> {
  const { api, http } = connectClients(cleanup, server, 64);
  await api.create(NAMESPACES, undefined, { metadata: { name: NAMESPACE } });

  log(`registering ${opts.nodes} simulated nodes`);
  const nodeBodies = Array.from({ length: opts.nodes }, (_, i) => JSON.stringify(benchNode(i)));
  const registration = await closedLoop(opts.nodes, NODE_CONCURRENCY, LIMIT.nodes, async (i) => {
    await http.ok('POST', api.path(NODES, undefined), { body: nodeBodies[i] });
  });
  if (registration.errors > 0) throw new Error(`registering nodes failed for ${registration.errors}: ${registration.firstError}`);

  const schedulerSource = await ensureScheduler(api, cleanup, log, pids, server);
  const backlogScheduler = startSchedulerProcess(cleanup, server, BACKLOG_SCHEDULER);
  pids[BACKLOG] = backlogScheduler.pid;
  const monitor = startMonitor(cleanup, pids);
  await sleep(1000);
  monitor.mark('idle with the nodes registered');

  // Every binding, from a watch opened before the first create.
  const podsPath = api.path(PODS, NAMESPACE);
  const rv = JSON.parse((await http.ok('GET', `${podsPath}?limit=1`)).body.toString('utf8')).metadata.resourceVersion;
  const bound: Bindings = new Map();
  const watch = http.watch(`${podsPath}?watch=1&resourceVersion=${rv}`, (line, at) => {
    if (!line.includes('"nodeName"')) return;
    const ev = JSON.parse(line);
    const { name } = ev.object?.metadata ?? {};
    const node = ev.object?.spec?.nodeName;
    if (node && name && !bound.has(name)) bound.set(name, { node, at });
  });
  cleanup.add('stop the watch', async () => watch.stop());
  await watch.ready;

  log(`creating ${opts.pods} pods (${opts.concurrency} in flight) and waiting for every binding`);
  const pods = await podPhase(opts, 'sched', undefined, http, podsPath, bound);
  monitor.mark(`${opts.pods} pods: create → bound`, pods.bound);
  if (pods.bound < opts.pods) log(`only ${pods.bound} of ${opts.pods} pods were bound within ${LIMIT.pods} ms`);

  log(`creating a backlog of ${opts.pods} pods for a scheduler that is not running yet`);
  const backlogCreates = await createPods(opts, 'backlog', BACKLOG_SCHEDULER, http, podsPath).then((r) => r.creates);
  monitor.mark(`${opts.pods} pods created for no running scheduler`, opts.pods - backlogCreates.errors);
  log('starting the backlog scheduler');
  const drainStart = await backlogScheduler.run();
  const backlogNames = Array.from({ length: opts.pods }, (_, i) => podName('backlog', i));
  await until(() => backlogNames.every((n) => bound.has(n)), LIMIT.pods);
  const drained = backlogNames.map((n) => bound.get(n)).filter((b) => b !== undefined);
  const drainPhase = monitor.mark(`backlog: scheduler started → ${opts.pods} bound`, drained.length);
  const backlog: BacklogPhase = {
    creates: backlogCreates,
    drainMs: Math.max(...drained.map((b) => b.at)) - drainStart,
    bound: drained.length,
    cpuPerPodMs: drained.length ? (drainPhase.usage[BACKLOG]!.cpuCores * drainPhase.wallMs) / drained.length : NaN,
  };

  log(`Deployment of ${opts.replicas} replicas`);
  const deployment = await deploymentPhase(opts.replicas, api, http, bound, monitor, log);
  monitor.mark(`${deployment.kind === 'Deployment' ? 'Deployment' : 'burst'} of ${opts.replicas}: create → bound`, deployment.bound);
  monitor.stop();

  const perNodeCounts = new Map<string, number>();
  for (const { node } of bound.values()) perNodeCounts.set(node, (perNodeCounts.get(node) ?? 0) + 1);
  const counts = [...perNodeCounts.values()];
  return {
    options: opts,
    schedulerSource,
    registration,
    pods,
    backlog,
    perNode: { min: perNodeCounts.size < opts.nodes ? 0 : Math.min(...counts), max: Math.max(0, ...counts) },
    deployment,
    monitor,
  };
}

/** Creates the workload's pods `<prefix>-<i>` (naming `schedulerName`, if given), `concurrency` in flight; returns when each create was sent. */
async function createPods(opts: SchedulerBenchOptions, prefix: string, schedulerName: string | undefined, http: BenchClient, podsPath: string): Promise<{ creates: LoadResult; sentAt: Float64Array }> {
  const sentAt = new Float64Array(opts.pods).fill(NaN);
  const bodies = Array.from({ length: opts.pods }, (_, i) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: podName(prefix, i), labels: { app: `bench-${prefix}` } }, spec: { ...podSpec(), ...(schedulerName ? { schedulerName } : {}) } }),
  );
  const creates = await closedLoop(opts.pods, opts.concurrency, LIMIT.pods, async (i) => {
    sentAt[i] = performance.now();
    await http.ok('POST', podsPath, { body: bodies[i] });
  });
  return { creates, sentAt };
}

/** Creates the pods and waits for their bindings. */
async function podPhase(opts: SchedulerBenchOptions, prefix: string, schedulerName: string | undefined, http: BenchClient, podsPath: string, bound: Bindings): Promise<PodPhase> {
  const { creates, sentAt } = await createPods(opts, prefix, schedulerName, http, podsPath);
  const names = Array.from({ length: opts.pods }, (_, i) => podName(prefix, i));
  await until(() => names.every((n) => bound.has(n)), LIMIT.pods);
  const latencies: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  names.forEach((n, i) => {
    const b = bound.get(n);
    if (Number.isNaN(sentAt[i]!)) return;
    first = Math.min(first, sentAt[i]!);
    if (!b) return;
    latencies.push(b.at - sentAt[i]!);
    last = Math.max(last, b.at);
  });
  return { creates, latency: summarize(latencies), spanMs: last - first, bound: latencies.length };
}

/**
 * Makes sure a scheduler serves the cluster: a probe pod bound by the server itself means it runs
 * one; otherwise the built scheduler is started in its own process (added to `pids`).
 */
async function ensureScheduler(api: ApiClient, cleanup: Cleanup, log: (msg: string) => void, pids: Record<string, number>, server: TugServerProcess): Promise<'server' | 'separate process'> {
  await api.create(PODS, NAMESPACE, { metadata: { name: 'probe' }, spec: podSpec() });
  const boundProbe = async () => Boolean((await api.get(PODS, NAMESPACE, 'probe')).spec?.nodeName);
  let source: 'server' | 'separate process' = 'server';
  if (!(await until(boundProbe, LIMIT.probe))) {
    log(`the server bound no pod within ${LIMIT.probe} ms: starting the scheduler in its own process`);
    const scheduler = startSchedulerProcess(cleanup, server);
    pids[SCHEDULER] = scheduler.pid;
    await scheduler.run();
    source = 'separate process';
    if (!(await until(boundProbe, LIMIT.schedulerProbe))) throw new Error('the scheduler did not bind the probe pod');
  }
  await api.delete(PODS, NAMESPACE, 'probe', { gracePeriodSeconds: 0 });
  return source;
}

/**
 * A Deployment of `replicas`: create sent → all its pods bound. Without controllers (no pod within
 * LIMIT.deploymentStart), the same number of pods created at once, owned by a ReplicaSet.
 */
async function deploymentPhase(replicas: number, api: ApiClient, http: BenchClient, bound: Bindings, monitor: ProcessMonitor, log: (msg: string) => void): Promise<SchedulerBenchResults['deployment']> {
  const labels = { app: 'bench-deploy' };
  const boundWith = (prefix: string) => [...bound].filter(([n]) => n.startsWith(prefix)).map(([, b]) => b.at);
  const started = performance.now();
  await api.create(DEPLOYMENTS, NAMESPACE, {
    metadata: { name: 'bench-deploy' },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec() } },
  });
  const anyPod = async () => (await api.list(PODS, NAMESPACE, { labelSelector: 'app=bench-deploy', limit: 1 })).items.length > 0;
  if (await until(anyPod, LIMIT.deploymentStart)) {
    await until(() => boundWith('bench-deploy-').length >= replicas, LIMIT.deployment);
    const times = boundWith('bench-deploy-');
    return { kind: 'Deployment', replicas, ms: Math.max(...times) - started, bound: times.length };
  }
  log(`no pod of the Deployment within ${LIMIT.deploymentStart} ms (controllers not running): measuring a burst of ${replicas} owned pods instead`);
  await api.delete(DEPLOYMENTS, NAMESPACE, 'bench-deploy');
  const burstLabels = { app: 'bench-burst' };
  const rs = await api.create<any>(REPLICASETS, NAMESPACE, {
    metadata: { name: 'bench-burst' },
    spec: { replicas, selector: { matchLabels: burstLabels }, template: { metadata: { labels: burstLabels }, spec: podSpec() } },
  });
  const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench-burst', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }];
  const bodies = Array.from({ length: replicas }, (_, i) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `bench-burst-${i}`, labels: burstLabels, ownerReferences: owner }, spec: podSpec() }),
  );
  monitor.mark('waiting for Deployment controllers (none)');
  const burstStart = performance.now();
  await closedLoop(replicas, replicas, LIMIT.deployment, async (i) => {
    await http.ok('POST', api.path(PODS, NAMESPACE), { body: bodies[i] });
  });
  await until(() => boundWith('bench-burst-').length >= replicas, LIMIT.deployment);
  const times = boundWith('bench-burst-');
  return { kind: 'burst', replicas, ms: Math.max(...times) - burstStart, bound: times.length };
}

const cores = (c: number) => `${(c * 100).toFixed(0)} %`;

export function renderSchedulerResults(r: SchedulerBenchResults, meta: RunMeta): string {
  const o = r.options;
  const rate = (r.pods.bound / r.pods.spanMs) * 1000;
  const drainRate = (r.backlog.bound / r.backlog.drainMs) * 1000;
  const d = r.deployment;
  const yesNo = (ok: boolean) => (ok ? 'yes' : '**no**');
  const deploymentRow =
    d.kind === 'Deployment'
      ? `Deployment of ${d.replicas} replicas: create → all bound`
      : `${d.replicas} pods created at once, owned by one ReplicaSet (no Deployment controllers running): first create → all bound`;
  const headline = markdownTable(
    ['measurement', 'value', 'target', 'met?'],
    [
      [`pods scheduled per second (first create → last bound, ${o.pods} pods, ${o.concurrency} creates in flight)`, perSecond(rate, 'pods'), `≥ ${TARGET_PODS_PER_SECOND} pods/s`, yesNo(r.pods.bound === o.pods && rate >= TARGET_PODS_PER_SECOND)],
      ['create → bound latency p50 / p99 / max', `${ms(r.pods.latency.p50)} / ${ms(r.pods.latency.p99)} / ${ms(r.pods.latency.max)}`, '—', '—'],
      ['pods bound', `${r.pods.bound} of ${o.pods}`, 'all', yesNo(r.pods.bound === o.pods)],
      [`pod creates per second in that phase (${o.concurrency} in flight)`, perSecond(throughput(r.pods.creates), 'pods'), '—', '—'],
      [`pod creates per second with no scheduler at work (backlog, ${o.concurrency} in flight)`, perSecond(throughput(r.backlog.creates), 'pods'), '—', '—'],
      [`backlog of ${o.pods} pending pods: pods scheduled per second (scheduler started → last bound)`, perSecond(drainRate, 'pods'), `≥ ${TARGET_PODS_PER_SECOND} pods/s`, yesNo(r.backlog.bound === o.pods && drainRate >= TARGET_PODS_PER_SECOND)],
      ['scheduler CPU per pod (backlog phase, its own process; bindings and events included)', ms(r.backlog.cpuPerPodMs), '—', '—'],
      [deploymentRow, d.bound === d.replicas ? ms(d.ms) : `${d.bound} of ${d.replicas} bound`, '—', '—'],
      [`pods per node at the end (fewest / most, ${2 * o.pods + d.replicas} pods)`, `${r.perNode.min} / ${r.perNode.max}`, '—', '—'],
    ],
  );
  const names = Object.keys(r.monitor.phases[0]?.usage ?? {});
  const perOp = (p: PhaseReport, name: string) => (p.ops ? ms((p.usage[name]!.cpuCores * p.wallMs) / p.ops) : '');
  const perOpNames = names.filter((n) => n === SERVER || n === SCHEDULER || n === BACKLOG);
  const phases = markdownTable(
    ['phase', 'wall', 'ops', ...names.map((n) => `${n} CPU`), ...perOpNames.map((n) => `${n} CPU per op`), `${SERVER} RSS peak`],
    r.monitor.phases.map((p) => [
      p.phase,
      `${(p.wallMs / 1000).toFixed(1)} s`,
      p.ops ? String(p.ops) : '',
      ...names.map((n) => cores(p.usage[n]!.cpuCores)),
      ...perOpNames.map((n) => perOp(p, n)),
      mib(p.usage[SERVER]!.peakRss),
    ]),
  );
  const schedulerLine =
    r.schedulerSource === 'server'
      ? "The scheduler is the one inside `tug server` (it bound a probe pod), sharing the server's process."
      : '`tug server` runs no scheduler yet: the benchmark started the built scheduler (dist/control-plane/scheduler) in a node process of its own against the server, with its own connection and informers, as the controller-manager will run it.';
  return [
    ...runHeader(meta),
    '',
    `Setup: a private redis-server (AOF on, appendfsync everysec) and the built \`tug server\` (log level warn) on loopback; ` +
      `${o.nodes} simulated nodes (Node objects with allocatable cpu ${NODE_SHAPE.cpu}, memory ${NODE_SHAPE.memory}, pods ${NODE_SHAPE.pods}, a Ready condition, ` +
      `hostname labels and ${ZONES} zones; no agent). ${schedulerLine} Client, server, redis and schedulers share the machine.`,
    '',
    `Workload: ${o.pods} pods in one namespace, each one container requesting cpu ${POD_REQUESTS.cpu} and memory ${POD_REQUESTS.memory}, no owner, ` +
      `posted by ${o.concurrency} concurrent clients while the scheduler runs; then ${o.pods} more such pods for a scheduler not running yet (the backlog), ` +
      `which is then started; then ${d.kind === 'Deployment' ? `a Deployment of ${d.replicas} replicas of the same pod` : `${d.replicas} such pods owned by one ReplicaSet, posted at once`}. ` +
      'Default scheduler profile (every filter and score; percentageOfNodesToScore adaptive, 42 % of 1000 nodes); every binding records a Scheduled event.',
    '',
    headline,
    '',
    'Published anchor: upstream kube-scheduler does about 90–110 pods/s in scheduler_perf SchedulingBasic with 500 nodes.',
    '',
    '### Resources by phase (CPU: 100 % = one core busy)',
    '',
    phases,
    '',
    '### Method',
    '',
    `- Nodes are registered first (${NODE_CONCURRENCY} POSTs in flight, ${ms(r.registration.elapsedMs)} for ${o.nodes}); a probe pod checks that a scheduler binds pods before the measurement.`,
    "- A watch on the namespace's pods is opened before the first create; a pod counts as bound when an event first shows its spec.nodeName (set by POST pods/<name>/binding).",
    "- Throughput: pods bound / (last binding seen − first create sent). Latency: per pod, from its create being sent to its binding seen; it includes the API round trips, the scheduler's informer delay and the binding.",
    '- Each pod costs the server three writes (create, binding, Scheduled event) and their watch events: the create rate of the same phase bounds the throughput from above.',
    `- Backlog: the pods name a scheduler (\`${BACKLOG_SCHEDULER}\`) whose process runs but has not started; once told, it lists the pods and schedules them. ` +
      "Throughput counts from the moment its informers have listed (it starts scheduling then) to the last binding seen; its CPU is read from /proc over that phase.",
    '- Pods per node: from the bindings seen; the default scores spread the pods over the nodes.',
    '- CPU per op: a process\'s CPU time in the phase (from /proc) divided by the pods of the phase. Unlike the rates, it hardly depends on other work competing for the machine.',
  ].join('\n');
}
