/**
 * Test harness: a private redis-server (/usr/bin/redis-server) on a free loopback port, for any test
 * that needs the real store. Never touches port 6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const REDIS_SERVER = '/usr/bin/redis-server';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 5;

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** The data directory (AOF files live here). */
  dir: string;
  /** Shuts the server down (SIGTERM, which flushes the AOF) and removes `dir` if startRedis created it. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server (keeping `dir`) and starts it again on the same port and dir; resolves once it answers PING. */
  restart(): Promise<void>;
}

export interface StartRedisOptions {
  /** Data directory to use (kept on stop); default: a fresh temp dir, removed on stop. */
  dir?: string;
  /** AOF persistence (default true). */
  appendonly?: boolean;
}

/** Starts redis-server and resolves once it answers PING. Rejects if it cannot start. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'tug-redis-')));
  const appendonly = opts.appendonly ?? true;

  let proc: ChildProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; proc === undefined; attempt++) {
      port = await freePort();
      try {
        proc = await launch(port, dir, appendonly);
      } catch (err) {
        // Another process may have taken the port between probing and binding: try another.
        if (attempt >= START_ATTEMPTS) throw err;
      }
    }
  } catch (err) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let stopped = false;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (proc) await terminate(proc);
      proc = undefined;
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('redis server already stopped');
      if (proc) await terminate(proc);
      proc = undefined;
      proc = await launch(port, dir, appendonly);
    },
  };
  return server;
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Spawns redis-server and waits until it answers PING; kills it and rejects if it does not. */
async function launch(port: number, dir: string, appendonly: boolean): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', appendonly ? 'yes' : 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
  ];
  const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  // A test process that dies without calling stop() must not leave redis-server behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  proc.once('exit', () => process.removeListener('exit', killOnExit));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    if (await answersPing(port)) return proc;
    await sleep(25);
  }
  await terminate(proc);
  throw new Error(`redis-server did not start on port ${port}: ${output.trim()}`);
}

/** SIGTERM (redis flushes the AOF and exits), SIGKILL after a timeout; resolves when the process is gone. */
function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** True when something on the port answers `PING` with `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
