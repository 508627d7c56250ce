/**
 * The built scheduler (dist/control-plane/scheduler) in a process of its own, against a running
 * `tug server`: a node process loads the built modules (by path, so bench/ keeps importing only api
 * and client), builds the controller context the controller-manager would give it, and starts it
 * when told to (so that its process can be watched from before it does anything). Its stop is
 * registered with the Cleanup.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Cleanup } from './cleanup.js';
import { REPO, type TugServerProcess } from './processes.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const READY = 'scheduler process ready';

/** Runs in the child: argv = [server URL, token, CA PEM, dist URL, scheduler name]; starts on a line on stdin. */
const SCRIPT = `
const [server, token, caCertPem, dist, schedulerName] = process.argv.slice(1);
await new Promise((resolve) => process.stdin.once('data', resolve));
const { pino } = await import('pino');
const { ApiClient } = await import(dist + '/control-plane/client/api-client.js');
const { EventRecorder } = await import(dist + '/control-plane/client/event-recorder.js');
const { InformerFactory } = await import(dist + '/control-plane/client/informer-factory.js');
const { startScheduler } = await import(dist + '/control-plane/scheduler/scheduler.js');
const logger = pino({ level: 'warn' });
const client = new ApiClient({ server, token, caCertPem, userAgent: 'tug-scheduler' });
const informers = new InformerFactory(client, logger);
const recorders = new Map();
const recorder = (component) => recorders.get(component) ?? recorders.set(component, new EventRecorder(client, { component }, logger)).get(component);
const scheduler = startScheduler({ client, informers, logger, recorder }, { schedulerName });
informers.start();
await informers.waitForSync();
console.log('${READY}');
process.once('SIGTERM', async () => {
  await scheduler.stop();
  informers.stop();
  client.close();
  process.exit(0);
});
`;

export interface SchedulerProcess {
  pid: number;
  /**
   * Starts the scheduler; resolves once its informers have listed, that is when it begins
   * scheduling, with that moment (performance.now()).
   */
  run(): Promise<number>;
  /** The last 20 kB it wrote. */
  output(): string;
}

/** Spawns the process of a scheduler serving `schedulerName`; it waits for run(). */
export function startSchedulerProcess(cleanup: Cleanup, server: TugServerProcess, schedulerName = 'default-scheduler'): SchedulerProcess {
  const dist = path.join(REPO, 'dist');
  if (!existsSync(path.join(dist, 'control-plane/scheduler/scheduler.js'))) throw new Error(`${dist} has no scheduler: run npm run build first`);
  const args = ['--input-type=module', '-e', SCRIPT, server.url, server.adminToken, server.caCertPem, pathToFileURL(dist).href, schedulerName];
  const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  cleanup.add('stop the scheduler process', async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  });
  if (proc.pid === undefined) throw new Error('the scheduler process did not start');
  let ready = NaN;
  proc.stdout!.on('data', () => {
    if (Number.isNaN(ready) && output.includes(READY)) ready = performance.now();
  });
  const run = async () => {
    proc.stdin!.end('go\n');
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Number.isNaN(ready)) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the scheduler process exited (${proc.exitCode ?? proc.signalCode}): ${output}`);
      if (Date.now() > deadline) throw new Error(`the scheduler process was not ready within ${START_TIMEOUT_MS} ms: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return ready;
  };
  return { pid: proc.pid, run, output: () => output };
}
