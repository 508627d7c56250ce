/**
 * `npm run bench`: runs the benchmarks and writes their sections of bench/RESULTS.md.
 * The composition root of bench/: it alone reads argv and the environment.
 *
 *   node dist/bench/run.js [--pods N] [--results FILE] [--cpu-prof DIR]
 *
 *   --pods N         pods to seed (default 10000)
 *   --results FILE   where to write the results (default bench/RESULTS.md)
 *   --cpu-prof DIR   run the server under node --cpu-prof, writing its profile to DIR, and
 *                    DIR/summary.md: where the server spent each phase
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_API_BENCH, renderApiResults, runApiBenchmark } from './api.js';
import { Cleanup } from './cleanup.js';
import { renderProfileSummary, type CpuProfile } from './cpu-profile.js';
import type { PhaseReport } from './procfs.js';
import { REPO } from './processes.js';
import { machineLine, upsertSection } from './results.js';

const SECTION = 'API server';

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The command line that reproduces this run, as the user would type it. */
function commandLine(args: string[]): string {
  const extra = args.length ? ` ${args.join(' ')}` : '';
  return process.env.npm_lifecycle_event === 'bench' ? `npm run bench${extra ? ` --${extra}` : ''}` : `node dist/bench/run.js${extra}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args,
    options: { pods: { type: 'string' }, results: { type: 'string' }, 'cpu-prof': { type: 'string' } },
  });
  const pods = values.pods === undefined ? DEFAULT_API_BENCH.pods : Number(values.pods);
  if (!Number.isInteger(pods) || pods < 1) throw new Error(`--pods must be a positive integer, got "${values.pods}"`);
  const resultsFile = path.resolve(values.results ?? path.join(REPO, 'bench/RESULTS.md'));
  const profileDir = values['cpu-prof'] && path.resolve(values['cpu-prof']);

  const cleanup = new Cleanup(log);
  process.once('SIGINT', () => {
    log('interrupted: stopping the processes');
    void cleanup.run().then(() => process.exit(130));
  });
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const started = Date.now();
  let phases: PhaseReport[] = [];
  const loadBefore = os.loadavg()[0]!;
  try {
    const opts = { ...DEFAULT_API_BENCH, pods, serverNodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] };
    const results = await runApiBenchmark(opts, cleanup, log);
    phases = results.monitor.phases;
    const load = `${loadBefore.toFixed(2)} before the run, ${os.loadavg()[0]!.toFixed(2)} at its end (other work on the machine shows here)`;
    const body = renderApiResults(results, { command: commandLine(args), machine: machineLine(), date: new Date().toISOString(), load });
    const doc = existsSync(resultsFile) ? await readFile(resultsFile, 'utf8') : '';
    await writeFile(resultsFile, upsertSection(doc, SECTION, body));
    process.stdout.write(`${body}\n`);
    log(`wrote section "${SECTION}" of ${resultsFile} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup.run();
  }
  // The server writes its profile when it exits, that is during cleanup.
  if (profileDir && phases.length) await writeProfileSummary(profileDir, phases);
}

/** Summarises the newest .cpuprofile in `dir` per phase into `dir`/summary.md. */
async function writeProfileSummary(dir: string, phases: PhaseReport[]): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (!files.length) throw new Error(`no .cpuprofile in ${dir}: did the server exit cleanly?`);
  const file = path.join(dir, files[files.length - 1]!);
  const profile: CpuProfile = JSON.parse(await readFile(file, 'utf8'));
  const windows = phases.map((p) => ({ name: p.phase, fromUs: p.fromUs, toUs: p.toUs }));
  await writeFile(path.join(dir, 'summary.md'), `# tug server CPU profile by phase

Profile: ${file}

${renderProfileSummary(profile, windows)}`);
  log(`wrote ${path.join(dir, 'summary.md')}`);
}

main().catch((err) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
