/**
 * The built scheduler (dist/control-plane/scheduler) in a process of its own, against a running
 * `tug server`: a node process loads the built modules (by path, so bench/ keeps importing only api
 * and client), builds the controller context the controller-manager would give it, and starts it
 * when told to (so that its process can be watched from before it does anything). Its stop is
 * registered with the Cleanup.
 */
import { performance } from 'node:perf_hooks';
import type { Cleanup } from './cleanup.js';
import { launchBuilt, waitReady, type TugServerProcess } from './processes.js';

const START_TIMEOUT_MS = 30_000;
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
  const { proc, output } = launchBuilt(cleanup, 'the scheduler process', server, SCRIPT, { needs: 'control-plane/scheduler/scheduler.js', extraArgs: [schedulerName], stdin: true });
  let ready = NaN;
  proc.stdout!.on('data', () => {
    if (Number.isNaN(ready) && output().includes(READY)) ready = performance.now();
  });
  const run = async () => {
    proc.stdin!.end('go\n');
    await waitReady('the scheduler process', proc, output, () => !Number.isNaN(ready), { timeoutMs: START_TIMEOUT_MS, pollMs: 5 });
    return ready;
  };
  return { pid: proc.pid!, run, output };
}
