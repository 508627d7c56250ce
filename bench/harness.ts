/**
 * The steps the benchmarks repeat around their measurements: bringing up the system under test
 * (a private redis-server and the built `tug server`), connecting the benchmark's clients to it,
 * sampling its processes, showing a process's output when a run fails, and waiting with a time
 * limit. Every start registers its undo with the Cleanup before it returns.
 */
import { ApiClient } from '../control-plane/client/api-client.js';
import type { Cleanup } from './cleanup.js';
import { BenchClient } from './http.js';
import { ProcessMonitor } from './procfs.js';
import { startRedis, startTugServer, type RedisProcess, type TugServerProcess } from './processes.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection naming `what` after `limitMs`. */
export async function within<T>(limitMs: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${limitMs} ms waiting for ${what}`)), limitMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts redis-server, then the built tug server against it (`serverNodeArgs` go to its node); resolves once both answer. */
export async function startServerStack(cleanup: Cleanup, serverNodeArgs: string[] = []): Promise<{ redis: RedisProcess; server: TugServerProcess }> {
  const redis = await startRedis(cleanup);
  const server = await startTugServer(cleanup, redis.url, serverNodeArgs);
  return { redis, server };
}

/**
 * The benchmark's clients of `server`, as the admin: the typed ApiClient for setup and the raw
 * BenchClient (at most `maxSockets` connections) for measured requests. Both are closed by the
 * cleanup.
 */
export function connectClients(cleanup: Cleanup, server: TugServerProcess, maxSockets: number): { api: ApiClient; http: BenchClient } {
  const api = new ApiClient({ server: server.url, token: server.adminToken, caCertPem: server.caCertPem, userAgent: 'tugboat-bench' });
  const http = new BenchClient(server.url, server.adminToken, server.caCertPem, maxSockets);
  cleanup.add('close clients', async () => {
    api.close();
    http.close();
  });
  return { api, http };
}

/** A ProcessMonitor of `pids` (and of this process as `self`), sampling every 100 ms until the cleanup stops it. */
export function startMonitor(cleanup: Cleanup, pids: Record<string, number>, self?: string): ProcessMonitor {
  const monitor = new ProcessMonitor(pids, self);
  monitor.start(100);
  cleanup.add('stop monitor', async () => monitor.stop());
  return monitor;
}

/** Runs `run`; when it fails, logs the last 4 kB of `what`'s output before rethrowing. */
export async function withOutputTail<T>(log: (msg: string) => void, what: string, output: () => string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    log(`${what} output (tail):\n${output().slice(-4000)}`);
    throw err;
  }
}
