/**
 * The pod start benchmark. Starts a private redis-server, the built `tug server` and a `tug agent`
 * (its own node, bridge and container labels) as real processes, and measures on this machine:
 *
 *   pod start   create a single-container pod bound to the node → its Ready condition True, seen
 *               through a watch opened before the create; one pod at a time
 *   baseline    `docker run -d` of the same image and command, timed to the CLI's exit (it returns
 *               once the container runs), interleaved with the pod starts (pod, docker, pod, …) so
 *               that noise on the machine hits both alike
 *   agent       RSS with 0 pods and with N running pods, CPU while idle with them
 *
 * Every wait is bounded; pods and containers are removed afterwards, also on failure (cleanup).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { storageResource } from '../control-plane/api/registry.js';
import type { ApiClient } from '../control-plane/client/api-client.js';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import type { Cleanup } from './cleanup.js';
import { connectClients, sleep, startMonitor, startServerStack, within, withOutputTail } from './harness.js';
import { closedLoop } from './load.js';
import type { ProcessMonitor } from './procfs.js';
import { runCommand, startTugAgent, type TugAgentProcess, type TugServerProcess } from './processes.js';
import { markdownTable, mib, ms, ratio, runHeader, type RunMeta } from './results.js';
import { summarize, type Summary } from './stats.js';

export interface PodStartBenchOptions {
  /** Measured pod starts, and as many measured `docker run -d`, interleaved. */
  starts: number;
  /** Unmeasured pod starts and docker runs before them. */
  warmup: number;
  /** Running pods for the memory and idle CPU measurement (the started ones count). */
  runningPods: number;
  /** Pods started at once while filling up to runningPods. */
  fillConcurrency: number;
  /** Wait after the fill before the idle measurement, in seconds. */
  settleSeconds: number;
  /** Length of the idle CPU measurement, in seconds. */
  idleSeconds: number;
  /** Extra node flags for the agent process (e.g. --cpu-prof). */
  agentNodeArgs: string[];
}

export const DEFAULT_POD_START_BENCH: PodStartBenchOptions = {
  starts: 40,
  warmup: 2,
  runningPods: 50,
  fillConcurrency: 4,
  settleSeconds: 5,
  idleSeconds: 20,
  agentNodeArgs: [],
};

const TARGETS = { p50Ratio: 1.3, p99Ms: 2000, agentRssBytes: 80e6 };

export const IMAGE = 'tugboat/busybox:test';
const COMMAND = ['sleep', '3600'];
const AGENT = 'tug agent';
const SERVER = 'tug server';
const NAMESPACE = 'pod-start';
/** Label on the baseline's containers (value: the run's id). */
const BASELINE_LABEL = 'io.tugboat.bench.pod-start';
/** Time limits, in ms. */
const LIMIT = { nodeReady: 60_000, watchOpen: 10_000, podReady: 60_000, fill: 300_000, podsGone: 120_000 };

const PODS = storageResource('core/pods');
const NODES = storageResource('core/nodes');
const NAMESPACES = storageResource('core/namespaces');

/** Polls `check` every 100 ms until it holds; rejects naming `what` after `limitMs`. */
async function until(limitMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Whether an object's status has the condition `type` True (pods and nodes alike). */
export function conditionTrue(obj: any, type: string): boolean {
  return (obj?.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');
}

/** The benchmark's pod `name`: one container sleeping, bound to `nodeName`. */
export function benchPod(name: string, nodeName: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'pod-start' } },
    spec: {
      nodeName,
      // busybox sleep as PID 1 ignores SIGTERM: keep deletion short.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: IMAGE, command: COMMAND }],
    },
  };
}

/** Everything one run measured, rendered by renderPodStartResults. */
export interface PodStartResults {
  options: PodStartBenchOptions;
  podStart: Summary;
  dockerRun: Summary;
  /** Pod starts and docker runs that failed, and the first failure. */
  errors: number;
  firstError?: string;
  agentRss: { idle: number; running: number; peak: number };
  serverRss: { idle: number; running: number; peak: number };
  /** Agent CPU while idle with runningPods pods, in cores (1 = one core busy). */
  agentIdleCpu: number;
  serverIdleCpu: number;
  /** Pods Ready when the idle measurement ended. */
  readyAtEnd: number;
  dockerVersion: string;
  monitor: ProcessMonitor;
  /** What the run left in Docker and the network until its cleanup: the agent's bridge and label prefix, the baseline's label filter. */
  leftovers: { bridge: string; labelPrefix: string; baselineLabel: string };
}

export async function runPodStartBenchmark(opts: PodStartBenchOptions, cleanup: Cleanup, log: (msg: string) => void): Promise<PodStartResults> {
  log(`building ${IMAGE}; starting redis-server, tug server and tug agent`);
  await buildBusyboxImage(new Docker(), IMAGE);
  const dockerVersion = (await runCommand('docker', ['version', '--format', '{{.Server.Version}}'])).trim();
  const { server } = await startServerStack(cleanup);
  const agent = await startTugAgent(cleanup, server, opts.agentNodeArgs);
  return withOutputTail(log, 'tug agent', agent.output, async () => ({ ...(await measure(opts, cleanup, log, server, agent)), dockerVersion }));
}

async function measure(
  opts: PodStartBenchOptions,
  cleanup: Cleanup,
  log: (msg: string) => void,
  server: TugServerProcess,
  agent: TugAgentProcess,
): Promise<Omit<PodStartResults, 'dockerVersion'>> {
  const runId = randomBytes(3).toString('hex');
  const { api, http } = connectClients(cleanup, server, 16);
  cleanup.add('remove the baseline containers', async () => {
    const ids = (await runCommand('docker', ['ps', '-aq', '--filter', `label=${BASELINE_LABEL}=${runId}`])).split('\n').filter(Boolean);
    for (let i = 0; i < ids.length; i += 50) await runCommand('docker', ['rm', '-f', ...ids.slice(i, i + 50)]);
  });

  log(`waiting for node ${agent.nodeName} to be Ready`);
  await until(LIMIT.nodeReady, `node ${agent.nodeName} Ready`, async () => conditionTrue(await api.get(NODES, undefined, agent.nodeName).catch(() => undefined), 'Ready'));
  await api.create(NAMESPACES, undefined, { metadata: { name: NAMESPACE } });
  cleanup.add('delete the pods and wait for the agent to remove them', () => deletePods(api, agent.labelPrefix));

  const monitor = startMonitor(cleanup, { [AGENT]: agent.pid, [SERVER]: server.pid });
  await sleep(3000);
  const idle = monitor.mark('idle after start, 0 pods');

  const podsPath = api.path(PODS, NAMESPACE);
  let created = 0;
  /** Creates the next pod and resolves with ms from the create to its Ready condition arriving. */
  const startPod = async (): Promise<number> => {
    const name = `pod-${(created++).toString().padStart(3, '0')}`;
    let readyAt = NaN;
    let sawReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (sawReady = resolve));
    const watch = http.watch(`${podsPath}?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`, (line, at) => {
      if (Number.isNaN(readyAt) && conditionTrue(JSON.parse(line).object, 'Ready')) {
        readyAt = at;
        sawReady();
      }
    });
    try {
      await within(LIMIT.watchOpen, `the watch of ${name}`, watch.ready);
      const t0 = performance.now();
      await http.ok('POST', podsPath, { body: JSON.stringify(benchPod(name, agent.nodeName)) });
      await within(LIMIT.podReady, `${name} Ready`, ready);
      return readyAt - t0;
    } finally {
      watch.stop();
    }
  };
  let dockerRuns = 0;
  /** `docker run -d` of the same image and command; resolves with the CLI's wall time in ms. */
  const dockerRun = async (): Promise<number> => {
    const name = `tug-bench-${runId}-${dockerRuns++}`;
    const t0 = performance.now();
    await runCommand('docker', ['run', '-d', '--name', name, '--label', `${BASELINE_LABEL}=${runId}`, IMAGE, ...COMMAND]);
    return performance.now() - t0;
  };

  log(`warm-up: ${opts.warmup} pod starts and docker runs`);
  for (let i = 0; i < opts.warmup; i++) {
    await startPod();
    await dockerRun();
  }
  monitor.mark('warm-up', opts.warmup * 2);

  log(`${opts.starts} pod starts interleaved with ${opts.starts} docker runs`);
  const pod: number[] = [];
  const docker: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const attempt = async (samples: number[], op: () => Promise<number>) => {
    try {
      samples.push(await op());
    } catch (err) {
      errors++;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
  };
  for (let i = 0; i < opts.starts; i++) {
    await attempt(pod, startPod);
    await attempt(docker, dockerRun);
  }
  monitor.mark('pod starts and docker runs, interleaved', opts.starts * 2);

  const fill = Math.max(0, opts.runningPods - created);
  log(`starting ${fill} more pods (${opts.fillConcurrency} at a time) to have ${opts.runningPods} running`);
  const filled = await closedLoop(fill, opts.fillConcurrency, LIMIT.fill, async () => void (await startPod()));
  if (filled.errors > 0) throw new Error(`${filled.errors} of ${fill} pods did not become Ready: ${filled.firstError}`);
  monitor.mark(`start pods up to ${opts.runningPods}`, fill);
  await sleep(opts.settleSeconds * 1000);
  monitor.mark('settle');
  log(`idle with ${opts.runningPods} pods for ${opts.idleSeconds} s`);
  await sleep(opts.idleSeconds * 1000);
  const running = monitor.mark(`idle with ${opts.runningPods} pods`);
  monitor.stop();
  const readyAtEnd = (await api.list(PODS, NAMESPACE)).items.filter((p) => conditionTrue(p, 'Ready')).length;

  return {
    options: opts,
    podStart: summarize(pod),
    dockerRun: summarize(docker),
    errors,
    firstError,
    agentRss: { idle: idle.usage[AGENT]!.endRss, running: running.usage[AGENT]!.endRss, peak: monitor.peakRss(AGENT) },
    serverRss: { idle: idle.usage[SERVER]!.endRss, running: running.usage[SERVER]!.endRss, peak: monitor.peakRss(SERVER) },
    agentIdleCpu: running.usage[AGENT]!.cpuCores,
    serverIdleCpu: running.usage[SERVER]!.cpuCores,
    readyAtEnd,
    monitor,
    leftovers: { bridge: agent.bridge, labelPrefix: agent.labelPrefix, baselineLabel: `${BASELINE_LABEL}=${runId}` },
  };
}

/** Deletes every pod of the benchmark and waits until the agent has removed their containers. */
async function deletePods(api: ApiClient, labelPrefix: string): Promise<void> {
  const { items } = await api.list(PODS, NAMESPACE);
  await Promise.all(items.map((p) => api.delete(PODS, NAMESPACE, p.metadata.name).catch(() => undefined)));
  await until(LIMIT.podsGone, 'the pods to be gone from the API', async () => (await api.list(PODS, NAMESPACE)).items.length === 0);
  await until(LIMIT.podsGone, "the agent to remove the pods' containers", async () => {
    const ids = await runCommand('docker', ['ps', '-aq', '--filter', `label=${labelPrefix}io.tugboat.kind`]);
    return ids.trim() === '';
  });
}

const yesNo = (met: boolean) => (met ? 'yes' : '**no**');
const percentOfCore = (cores: number) => `${(cores * 100).toFixed(1)} %`;

/** The Markdown body of the pod start section of bench/RESULTS.md. */
export function renderPodStartResults(r: PodStartResults, meta: RunMeta): string {
  const o = r.options;
  const p50Ratio = r.podStart.p50 / r.dockerRun.p50;
  const ratioMet = r.errors === 0 && p50Ratio <= TARGETS.p50Ratio;
  const p99Met = r.errors === 0 && r.podStart.p99 < TARGETS.p99Ms;
  const rssMet = r.agentRss.peak < TARGETS.agentRssBytes;
  const latency = markdownTable(
    ['measurement', 'count', 'p50', 'p99', 'max', 'target', 'met?'],
    [
      ['pod start: create → Ready seen by a watch', String(r.podStart.count), ms(r.podStart.p50), ms(r.podStart.p99), ms(r.podStart.max), `p99 ≤ ${TARGETS.p99Ms / 1000} s`, yesNo(p99Met)],
      ['baseline: `docker run -d` (CLI wall time)', String(r.dockerRun.count), ms(r.dockerRun.p50), ms(r.dockerRun.p99), ms(r.dockerRun.max), '—', '—'],
      ['pod start / docker run', '', ratio(r.podStart.p50, r.dockerRun.p50), ratio(r.podStart.p99, r.dockerRun.p99), '', `p50 ≤ ${TARGETS.p50Ratio}×`, yesNo(ratioMet)],
    ],
  );
  const resources = markdownTable(
    ['process', 'RSS, 0 pods', `RSS, ${o.runningPods} pods running`, 'RSS peak', `CPU idle with ${o.runningPods} pods (${o.idleSeconds} s)`, 'target', 'met?'],
    [
      [AGENT, mib(r.agentRss.idle), mib(r.agentRss.running), mib(r.agentRss.peak), percentOfCore(r.agentIdleCpu), `RSS < 80 MB (${mib(TARGETS.agentRssBytes)})`, yesNo(rssMet)],
      [`${SERVER} (reference)`, mib(r.serverRss.idle), mib(r.serverRss.running), mib(r.serverRss.peak), percentOfCore(r.serverIdleCpu), '—', '—'],
    ],
  );
  const phases = markdownTable(
    ['phase', 'wall', 'ops', `${AGENT} CPU`, `${SERVER} CPU`, 'bench client CPU', `${AGENT} RSS peak / end`],
    r.monitor.phases.map((p) => [
      p.phase,
      `${(p.wallMs / 1000).toFixed(1)} s`,
      p.ops ? String(p.ops) : '',
      percentOfCore(p.usage[AGENT]!.cpuCores),
      percentOfCore(p.usage[SERVER]!.cpuCores),
      percentOfCore(p.usage['bench client']!.cpuCores),
      `${mib(p.usage[AGENT]!.peakRss)} / ${mib(p.usage[AGENT]!.endRss)}`,
    ]),
  );
  const missed = [
    ...(ratioMet ? [] : ['pod start p50 ratio']),
    ...(p99Met ? [] : ['pod start p99']),
    ...(rssMet ? [] : [`${AGENT} RSS`]),
  ];
  return [
    ...runHeader(meta, `, Docker Engine ${r.dockerVersion}`),
    '',
    `Setup: a private redis-server, the built \`tug server\` (log level warn) and one \`tug agent\` (log level info, its own node, bridge and ` +
      `container labels) on this machine; the benchmark talks to the server over HTTPS on loopback. Image \`${IMAGE}\` (static busybox, built locally), ` +
      `command \`${COMMAND.join(' ')}\`.`,
    '',
    latency,
    '',
    r.errors ? `Failures: ${r.errors} (first: ${r.firstError}).` : 'No failures.',
    '',
    missed.length ? `Missed: ${missed.join('; ')}.` : 'Every target met.',
    '',
    '### Agent resources (VmRSS and CPU time from /proc; CPU: 100 % = one core busy)',
    '',
    resources,
    '',
    `Pods Ready at the end of the idle measurement: ${r.readyAtEnd} of ${o.runningPods}.`,
    '',
    '### Resources by phase',
    '',
    phases,
    '',
    '### Method',
    '',
    `- pod start: before each create a watch on the pod (fieldSelector metadata.name) is opened and answered; then the pod ` +
      `(one container, \`spec.nodeName\` set, so no scheduler is involved) is POSTed and the time runs from just before the POST ` +
      `to the arrival of the watch event whose Ready condition is True. One pod at a time; pods stay running.`,
    `- baseline: \`docker run -d ${IMAGE} ${COMMAND.join(' ')}\` (default bridge network), timed from spawning the CLI to its exit, which ` +
      `comes once the container is running. Containers stay running.`,
    `- interleaved: pod, docker run, pod, docker run, … ${o.starts} of each after ${o.warmup} unmeasured of each, so that load from ` +
      `elsewhere on the machine hits both alike. p99 is nearest-rank: with ${o.starts} samples it is the slowest one.`,
    `- agent: RSS after 3 s idle with 0 pods; then pods are started up to ${o.runningPods} (${o.fillConcurrency} at a time), ` +
      `${o.settleSeconds} s settle, and CPU and RSS are read over ${o.idleSeconds} s idle with ${o.runningPods} running pods (the agent's periodic resyncs included).`,
    '- afterwards every pod is deleted (grace 1 s) and the benchmark waits for the agent to remove their containers; the baseline containers are removed.',
  ].join('\n');
}
