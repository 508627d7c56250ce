/**
 * Test harness: a real `tug server` process (the built dist/ binary) on a free loopback port,
 * backed by a private redis-server, with an admin kubeconfig in a temp dir. Stops and removes
 * everything on stop(), also when the test failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisServer } from './redis.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI; tests run after `npm run build` (npm test does it). */
export const TUG_BIN = path.join(REPO, 'dist/control-plane/cmd/tug.js');

export interface TugServer {
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  token: string;
  caCertPem: string;
  redis: RedisServer;
  /** Output of the server process so far (pino JSON lines), for failure messages. */
  logs(): string;
  /** Kills the server (SIGKILL when hard) and starts it again on the same port, data dir and Redis. */
  restart(opts?: { hard?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startTugServer(opts: { redis?: RedisServer; extraArgs?: string[] } = {}): Promise<TugServer> {
  if (!existsSync(TUG_BIN)) throw new Error(`${TUG_BIN} is missing: run npm run build first`);
  const redis = opts.redis ?? (await startRedis());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-server-'));
  const port = await freePort();
  let output = '';
  let proc: ChildProcess | undefined;

  const launch = async () => {
    proc = spawn(process.execPath, [TUG_BIN, 'server', '--redis', redis.url, '--data-dir', dataDir, '--api-port', String(port), '--bind', '127.0.0.1', '--log-level', 'warn', ...(opts.extraArgs ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (c: Buffer) => {
      output = (output + c.toString()).slice(-20000);
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    const killOnExit = () => proc?.kill('SIGKILL');
    process.once('exit', killOnExit);
    const p = proc;
    p.once('exit', () => process.removeListener('exit', killOnExit));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (p.exitCode !== null) throw new Error(`tug server exited (${p.exitCode}): ${output}`);
      if (existsSync(path.join(dataDir, 'kubeconfig')) && (await healthy(port))) return;
      await sleep(50);
    }
    p.kill('SIGKILL');
    throw new Error(`tug server did not become ready: ${output}`);
  };
  const kill = async (signal: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };

  try {
    await launch();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    if (!opts.redis) await redis.stop();
    throw err;
  }
  const token = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
  const caCertPem = await readFile(path.join(dataDir, 'ca.crt'), 'utf8');
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    dataDir,
    kubeconfig: path.join(dataDir, 'kubeconfig'),
    token,
    caCertPem,
    redis,
    logs: () => output,
    restart: async ({ hard } = {}) => {
      await kill(hard ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
      if (!opts.redis) await redis.stop();
    },
  };
}

/** Whether /healthz answers ok over TLS (certificate not checked: this only probes liveness). */
async function healthy(port: number): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
