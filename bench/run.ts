/**
 * `npm run bench`: runs the benchmarks and writes their sections of bench/RESULTS.md.
 * The composition root of bench/: it alone reads argv and the environment.
 *
 *   node dist/bench/run.js [--only NAME[,NAME…]] [--pods N] [--pod-starts N] [--results FILE] [--cpu-prof DIR]
 *
 *   --only NAMES     run only these benchmarks, comma-separated: api, pods, scheduler, dns, proxy,
 *                    cluster (default: all, in that order)
 *   --pods N         pods to seed in the API benchmark (default 10000)
 *   --pod-starts N   measured pod starts in the pod start benchmark (default 40)
 *   --results FILE   where to write the results (default bench/RESULTS.md)
 *   --cpu-prof DIR   run the profiled process of each benchmark (server, agent, scheduler's server,
 *                    DNS server) under node --cpu-prof, writing the profiles to DIR/<process>, each
 *                    with a summary.md: where the process spent each phase (the proxy benchmark
 *                    runs in this process and is not profiled)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_API_BENCH, renderApiResults, runApiBenchmark } from './api.js';
import { Cleanup } from './cleanup.js';
import { DEFAULT_CLUSTER_BENCH, renderClusterResults, runClusterBenchmark } from './cluster.js';
import { renderProfileSummary, type CpuProfile } from './cpu-profile.js';
import { DEFAULT_DNS_BENCH, renderDnsResults, runDnsBenchmark } from './dns.js';
import { DEFAULT_POD_START_BENCH, renderPodStartResults, runPodStartBenchmark } from './pod-start.js';
import type { PhaseReport } from './procfs.js';
import { REPO } from './processes.js';
import { DEFAULT_PROXY_BENCH, renderProxyResults, runProxyBenchmark } from './proxy.js';
import { machineLine, upsertSection } from './results.js';
import { DEFAULT_SCHEDULER_BENCH, renderSchedulerResults, runSchedulerBenchmark } from './scheduler.js';

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The command line that reproduces this run, as the user would type it. */
function commandLine(args: string[]): string {
  const extra = args.length ? ` ${args.join(' ')}` : '';
  return process.env.npm_lifecycle_event === 'bench' ? `npm run bench${extra ? ` --${extra}` : ''}` : `node dist/bench/run.js${extra}`;
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

interface Meta {
  command: string;
  machine: string;
  date: string;
  load: string;
}

/** One benchmark: its section title, and a run that resolves with the section's body and the phases to profile. */
interface Benchmark {
  section: string;
  /** The profiled process, when profiling: its folder under the profile dir; '' for none. */
  profiled: string;
  run(cleanup: Cleanup, nodeArgs: string[], meta: () => Meta): Promise<{ body: string; phases: PhaseReport[] }>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args,
    options: { only: { type: 'string' }, pods: { type: 'string' }, 'pod-starts': { type: 'string' }, results: { type: 'string' }, 'cpu-prof': { type: 'string' } },
  });
  const pods = positiveInt('--pods', values.pods, DEFAULT_API_BENCH.pods);
  const starts = positiveInt('--pod-starts', values['pod-starts'], DEFAULT_POD_START_BENCH.starts);
  const benchmarks: Record<string, Benchmark> = {
    api: {
      section: 'API server',
      profiled: 'server',
      run: async (cleanup, nodeArgs, meta) => {
        const results = await runApiBenchmark({ ...DEFAULT_API_BENCH, pods, serverNodeArgs: nodeArgs }, cleanup, log);
        return { body: renderApiResults(results, meta()), phases: results.monitor.phases };
      },
    },
    pods: {
      section: 'Pod start',
      profiled: 'agent',
      run: async (cleanup, nodeArgs, meta) => {
        const results = await runPodStartBenchmark({ ...DEFAULT_POD_START_BENCH, starts, agentNodeArgs: nodeArgs }, cleanup, log);
        return { body: renderPodStartResults(results, meta()), phases: results.monitor.phases };
      },
    },
    scheduler: {
      section: 'Scheduler',
      profiled: 'scheduler-server',
      run: async (cleanup, nodeArgs, meta) => {
        const results = await runSchedulerBenchmark({ ...DEFAULT_SCHEDULER_BENCH, serverNodeArgs: nodeArgs }, cleanup, log);
        return { body: renderSchedulerResults(results, meta()), phases: results.monitor.phases };
      },
    },
    dns: {
      section: 'Cluster DNS',
      profiled: 'dns',
      run: async (cleanup, nodeArgs, meta) => {
        const results = await runDnsBenchmark({ ...DEFAULT_DNS_BENCH, dnsNodeArgs: nodeArgs }, cleanup, log);
        return { body: renderDnsResults(results, meta()), phases: results.monitor.phases };
      },
    },
    proxy: {
      section: 'Service proxy',
      profiled: '',
      run: async (cleanup, _nodeArgs, meta) => ({ body: renderProxyResults(await runProxyBenchmark(DEFAULT_PROXY_BENCH, cleanup, log), meta()), phases: [] }),
    },
    cluster: {
      section: 'Multi-node cluster',
      profiled: '',
      run: async (cleanup, _nodeArgs, meta) => ({ body: renderClusterResults(await runClusterBenchmark(DEFAULT_CLUSTER_BENCH, cleanup, log), meta()), phases: [] }),
    },
  };
  const names = values.only?.split(',') ?? Object.keys(benchmarks);
  const unknown = names.filter((n) => !(n in benchmarks));
  if (unknown.length) throw new Error(`--only takes names among ${Object.keys(benchmarks).join(', ')}, got "${unknown.join(',')}"`);
  const selected = names.map((n) => benchmarks[n]!);
  const resultsFile = path.resolve(values.results ?? path.join(REPO, 'bench/RESULTS.md'));
  const profileDir = values['cpu-prof'] && path.resolve(values['cpu-prof']);

  let cleanup: Cleanup | undefined;
  process.once('SIGINT', () => {
    log('interrupted: stopping the processes');
    void (cleanup?.run() ?? Promise.resolve()).then(() => process.exit(130));
  });
  for (const bench of selected) {
    const current = (cleanup = new Cleanup(log));
    const dir = profileDir && bench.profiled && path.join(profileDir, bench.profiled);
    if (dir) await mkdir(dir, { recursive: true });
    const started = Date.now();
    const loadBefore = os.loadavg()[0]!;
    const meta = (): Meta => ({
      command: commandLine(args),
      machine: machineLine(),
      date: new Date().toISOString(),
      load: `${loadBefore.toFixed(2)} before the run, ${os.loadavg()[0]!.toFixed(2)} at its end (other work on the machine shows here)`,
    });
    let phases: PhaseReport[] = [];
    try {
      const result = await bench.run(current, dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [], meta);
      phases = result.phases;
      const doc = existsSync(resultsFile) ? await readFile(resultsFile, 'utf8') : '';
      await writeFile(resultsFile, upsertSection(doc, bench.section, result.body));
      process.stdout.write(`${result.body}\n`);
      log(`wrote section "${bench.section}" of ${resultsFile} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      await current.run();
    }
    // The profiled process writes its profile when it exits, that is during cleanup.
    if (dir && phases.length) await writeProfileSummary(dir, bench.profiled, phases);
  }
}

/** Summarises the newest .cpuprofile in `dir` per phase into `dir`/summary.md. */
async function writeProfileSummary(dir: string, what: string, phases: PhaseReport[]): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (!files.length) throw new Error(`no .cpuprofile in ${dir}: did the ${what} exit cleanly?`);
  const file = path.join(dir, files[files.length - 1]!);
  const profile: CpuProfile = JSON.parse(await readFile(file, 'utf8'));
  const windows = phases.map((p) => ({ name: p.phase, fromUs: p.fromUs, toUs: p.toUs }));
  await writeFile(path.join(dir, 'summary.md'), `# tug ${what} CPU profile by phase

Profile: ${file}

${renderProfileSummary(profile, windows)}`);
  log(`wrote ${path.join(dir, 'summary.md')}`);
}

main().catch((err) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
