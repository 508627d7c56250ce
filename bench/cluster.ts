/**
 * The cluster create benchmark: wall time of `tug cluster create --nodes N` (the built CLI, as a
 * user runs it) from start to exit, which is when every node is Ready, with the node image already
 * built; then `tug cluster delete`. A warm-up create (not measured) builds the node image when it
 * is missing. The CLI's own step lines give the time of each phase. Compared with the published
 * 12.5–17 s of `kind create cluster` for one node; the target is < 15 s for three.
 *
 * Every cluster is registered for deletion with the Cleanup before it is created.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import type { Cleanup } from './cleanup.js';
import { DEFAULT_POD_THROUGHPUT, measurePodThroughput, type PodThroughputOptions, type PodThroughputResults } from './pod-throughput.js';
import { runCommand, TUG_BIN } from './processes.js';
import { markdownTable, ms } from './results.js';
import { summarize, type Summary } from './stats.js';

export interface ClusterBenchOptions {
  nodes: number;
  /** Measured creates (each followed by a measured delete). */
  runs: number;
  /** Unmeasured creates first (the first one builds the node image when it is missing). */
  warmup: number;
  /** Pod-to-pod throughput in one more cluster of `nodes` (at least 3: two workers); undefined: not measured. */
  throughput?: PodThroughputOptions;
}

export const DEFAULT_CLUSTER_BENCH: ClusterBenchOptions = { nodes: 3, runs: 3, warmup: 1, throughput: DEFAULT_POD_THROUGHPUT };
const THROUGHPUT_IMAGE = 'tugboat/busybox:test';

const TARGET_MS = 15_000;
const KIND_ONE_NODE = '12.5–17 s';
const CREATE_LIMIT_MS = 600_000;

export interface ClusterBenchResults {
  options: ClusterBenchOptions;
  create: Summary;
  delete: Summary;
  /** Median seconds of each step `tug cluster create` reports, in its order. */
  phases: { step: string; p50Ms: number }[];
  /** Whether the warm-up built the node image. */
  builtImage: boolean;
  dockerVersion: string;
  throughput?: PodThroughputResults;
}

/** Runs `tug cluster args…`; resolves with its combined output and wall time, rejects on a non-zero exit. */
function tugCluster(args: string[]): Promise<{ output: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, [TUG_BIN, 'cluster', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (c) => (output += c));
    proc.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), CREATE_LIMIT_MS);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      const took = performance.now() - started;
      if (code === 0) resolve({ output, ms: took });
      else reject(new Error(`tug cluster ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

/** The finished steps of `tug cluster create` output (" ✓ TITLE (1.2 s)"), with `name` replaced by NAME in titles. */
export function parseSteps(output: string, name: string): { step: string; ms: number }[] {
  return [...output.matchAll(/^ ✓ (.+) \((\d+(?:\.\d+)?) s\)$/gm)].map((m) => ({ step: m[1]!.replaceAll(name, 'NAME'), ms: Number(m[2]) * 1000 }));
}

/** Creates and deletes clusters as described in the module comment. */
export async function runClusterBenchmark(opts: ClusterBenchOptions, cleanup: Cleanup, log: (msg: string) => void): Promise<ClusterBenchResults> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-bench-cluster-'));
  cleanup.add('remove the kubeconfig dir', () => rm(dir, { recursive: true, force: true }));
  const id = randomBytes(3).toString('hex');
  const creates: number[] = [];
  const deletes: number[] = [];
  const steps: { step: string; ms: number }[][] = [];
  let builtImage = false;
  for (let i = 0; i < opts.warmup + opts.runs; i++) {
    const name = `bench-${id}-${i}`;
    const measured = i >= opts.warmup;
    cleanup.add(`delete cluster ${name}`, async () => void (await tugCluster(['delete', '--name', name])));
    log(`${measured ? 'measured' : 'warm-up'} create of ${name} (${opts.nodes} nodes)`);
    const created = await tugCluster(['create', '--name', name, '--nodes', String(opts.nodes), '--kubeconfig', path.join(dir, 'kubeconfig')]);
    const deleted = await tugCluster(['delete', '--name', name]);
    log(`${name}: create ${(created.ms / 1000).toFixed(1)} s, delete ${(deleted.ms / 1000).toFixed(1)} s`);
    if (!measured) {
      builtImage ||= created.output.includes('Building node image');
      continue;
    }
    creates.push(created.ms);
    deletes.push(deleted.ms);
    steps.push(parseSteps(created.output, name));
  }
  const phases = (steps[0] ?? []).map((s, i) => ({ step: s.step, p50Ms: summarize(steps.map((run) => run[i]?.ms ?? NaN)).p50 }));
  const throughput = opts.throughput && (await throughputRun(opts.nodes, opts.throughput, `bench-${id}-tp`, path.join(dir, 'kubeconfig'), cleanup, log));
  return {
    throughput,
    options: opts,
    create: summarize(creates),
    delete: summarize(deletes),
    phases,
    builtImage,
    dockerVersion: (await runCommand('docker', ['version', '--format', '{{.Server.Version}}'])).trim(),
  };
}

/** Creates one more cluster, measures pod-to-pod throughput in it (bench/pod-throughput.ts) and deletes it. */
async function throughputRun(nodes: number, opts: PodThroughputOptions, name: string, kubeconfig: string, cleanup: Cleanup, log: (msg: string) => void): Promise<PodThroughputResults> {
  if (nodes < 3) throw new Error(`pod throughput needs two workers: --nodes ${nodes} has ${nodes - 1}`);
  cleanup.add(`delete cluster ${name}`, async () => void (await tugCluster(['delete', '--name', name])));
  log(`create of ${name} for the pod throughput`);
  await buildBusyboxImage(new Docker(), THROUGHPUT_IMAGE);
  await tugCluster(['create', '--name', name, '--nodes', String(nodes), '--kubeconfig', kubeconfig]);
  try {
    await tugCluster(['load-image', '--name', name, THROUGHPUT_IMAGE]);
    return await measurePodThroughput(kubeconfig, [`${name}-worker`, `${name}-worker2`], THROUGHPUT_IMAGE, opts, log);
  } finally {
    await tugCluster(['delete', '--name', name]);
  }
}

export function renderClusterResults(r: ClusterBenchResults, meta: { command: string; machine: string; date: string; load: string }): string {
  const o = r.options;
  const met = r.create.p50 < TARGET_MS;
  const table = markdownTable(
    ['measurement', 'runs', 'p50', 'max', 'target', 'met?'],
    [
      [`\`tug cluster create --nodes ${o.nodes}\` → all nodes Ready (CLI wall time)`, String(r.create.count), ms(r.create.p50), ms(r.create.max), `< ${TARGET_MS / 1000} s (kind: ${KIND_ONE_NODE} for one node)`, met ? 'yes' : 'no'],
      [`\`tug cluster delete\``, String(r.delete.count), ms(r.delete.p50), ms(r.delete.max), '—', '—'],
    ],
  );
  const phases = markdownTable(['step of create (as the CLI reports it)', 'p50'], r.phases.map((p) => [p.step, ms(p.p50Ms)]));
  return [
    `Command: \`${meta.command}\`  `,
    `Machine: ${meta.machine}, Docker Engine ${r.dockerVersion}  `,
    `Date: ${meta.date}  `,
    `Load average (1 min): ${meta.load}`,
    '',
    `Setup: the built \`tug cluster\` CLI creates ${o.nodes} node containers (Docker-in-Docker, the node image already built${r.builtImage ? ' by the warm-up run' : ''}) ` +
      `on a new Docker network: redis-server, \`tug server\` and an agent in the first node, an agent in each other node. ` +
      `${o.warmup} unmeasured warm-up create(s), then ${o.runs} measured creates, each followed by a delete. kind's ${KIND_ONE_NODE} is its published time for a one-node cluster.`,
    '',
    table,
    '',
    phases,
    '',
    met ? `Target met: ${o.nodes} nodes Ready in ${ms(r.create.p50)} (p50).` : `Target missed: p50 ${ms(r.create.p50)} ≥ ${TARGET_MS / 1000} s.`,
    ...(r.throughput ? ['', renderThroughput(r.throughput)] : []),
  ].join('\n');
}

function renderThroughput(t: PodThroughputResults): string {
  const mbps = (v: number) => `${v.toFixed(0)} MB/s`;
  const row = (what: string, s: Summary) => [what, String(s.count), mbps(s.p50), mbps(s.max)];
  return [
    '### Pod-to-pod TCP throughput, same node against across nodes (same run)',
    '',
    markdownTable(['path', 'transfers', 'p50', 'best'], [row('same node (pod → bridge → pod)', t.sameNode), row('across nodes (host-gw route)', t.crossNode)]),
    '',
    `Across nodes / same node (p50): ${(t.crossNode.p50 / t.sameNode.p50).toFixed(2)}.`,
    '',
    `Method: in one more cluster, busybox httpd on the first worker serves ${t.options.bytes} zero bytes from memory (an emptyDir of medium Memory); a pod on the same worker and one on the second worker each fetch them ` +
      `(\`wget -O- | wc -c\`, the count checked), timed in the pod by busybox \`time\`; ${t.options.rounds} rounds alternate the two paths. ` +
      'Nodes are containers on one host, so "across nodes" crosses two veth pairs and the host\'s Docker bridge, not a wire.',
  ].join('\n');
}
