/**
 * The system under test as real processes on loopback: a private redis-server (AOF on, no RDB
 * snapshots), the built `tug server` against it and a `tug agent` joined to that server, each in its
 * own temp dir. Every start registers its undo (stop the process, remove the dir, remove what the
 * agent left in Docker and the network) with a Cleanup before it can fail half-way.
 *
 * e2e/harness has similar helpers; the benchmark needs the process ids (for /proc sampling) and
 * extra node flags (profiling), and imports nothing outside control-plane/api and client but the
 * proxy's rule cleanup.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createProxyHost } from '../proxy/host.js';
import { createRuleApplier } from '../proxy/iptables.js';
import type { Cleanup } from './cleanup.js';

/** The nearest folder above `dir` holding a package.json: the repository root, from bench/ or dist/bench/. */
function packageRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (d === path.dirname(d)) throw new Error(`no package.json above ${dir}`);
  }
}

export const REPO = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const TUG_BIN = path.join(REPO, 'dist/control-plane/cmd/tug.js');
const REDIS_SERVER = '/usr/bin/redis-server';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RedisProcess {
  pid: number;
  /** redis://127.0.0.1:<port> */
  url: string;
}

export interface TugServerProcess {
  pid: number;
  /** https://127.0.0.1:<port> */
  url: string;
  adminToken: string;
  caCertPem: string;
  /** The last 20 kB the server wrote to stdout and stderr. */
  output(): string;
}

export interface TugAgentProcess {
  pid: number;
  nodeName: string;
  /** The Linux bridge its pods attach to (also the CNI network's name). */
  bridge: string;
  /** Prefix of the labels on its containers. */
  labelPrefix: string;
  /** The last 20 kB the agent wrote to stdout and stderr. */
  output(): string;
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves once the process is gone. */
function terminate(proc: ChildProcess): Promise<void> {
  if (exited(proc)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** Runs a command to its end; resolves with stdout, rejects with stderr on a non-zero exit. */
export async function runCommand(cmd: string, args: string[], input?: string): Promise<string> {
  const run = promisify(execFile)(cmd, args, { maxBuffer: 16 * 2 ** 20, timeout: STOP_TIMEOUT_MS * 3 });
  if (input !== undefined) run.child.stdin?.end(input);
  return (await run).stdout;
}

/**
 * Spawns `cmd` with its output kept (last 20 kB) and its stop (SIGTERM, SIGKILL after 10 s)
 * registered with `cleanup` as "stop <what>"; `opts.stdin` gives it a stdin pipe, `opts.cwd` a
 * working directory. Returns at once; throws when the process could not be spawned.
 */
export function launch(cleanup: Cleanup, what: string, cmd: string, args: string[], opts: { cwd?: string; stdin?: boolean } = {}): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { cwd: opts.cwd, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  cleanup.add(`stop ${what}`, () => terminate(proc));
  if (proc.pid === undefined) throw new Error(`${what} did not start`);
  return { proc, output: () => output };
}

/**
 * Spawns node running the inline ES module `script` with argv [server URL, admin token, CA PEM,
 * URL of dist/, ...extraArgs]: how a benchmark runs a built component in a process of its own,
 * loading it by path so that bench/ imports only control-plane/api and client. Throws when
 * dist/<needs> is missing (run npm run build first); otherwise as launch (`nodeArgs` go to node).
 */
export function launchBuilt(
  cleanup: Cleanup,
  what: string,
  server: TugServerProcess,
  script: string,
  opts: { needs: string; extraArgs?: string[]; nodeArgs?: string[]; stdin?: boolean },
): { proc: ChildProcess; output: () => string } {
  const dist = path.join(REPO, 'dist');
  if (!existsSync(path.join(dist, opts.needs))) throw new Error(`${dist} has no ${opts.needs}: run npm run build first`);
  const args = [...(opts.nodeArgs ?? []), '--input-type=module', '-e', script, server.url, server.adminToken, server.caCertPem, pathToFileURL(dist).href, ...(opts.extraArgs ?? [])];
  return launch(cleanup, what, process.execPath, args, { cwd: REPO, stdin: opts.stdin });
}

async function tempDir(cleanup: Cleanup, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Polls `ready` every `pollMs` (50) until it holds; throws with the process output if the process
 * exits first or `timeoutMs` (30 s) pass.
 */
export async function waitReady(
  what: string,
  proc: ChildProcess,
  output: () => string,
  ready: () => boolean | Promise<boolean>,
  { timeoutMs = START_TIMEOUT_MS, pollMs = 50 }: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(proc)) throw new Error(`${what} exited (${proc.exitCode ?? proc.signalCode}): ${output()}`);
    if (await ready()) return;
    await sleep(pollMs);
  }
  throw new Error(`${what} did not become ready in ${timeoutMs} ms: ${output()}`);
}

/** True when something on the port answers PING with +PONG. */
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

/** True when GET /healthz answers 200 over TLS verified against `caPem`. */
function healthy(port: number, caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/healthz', ca: caPem, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Starts redis-server (AOF on, no RDB) on a free loopback port; resolves once it answers PING. */
export async function startRedis(cleanup: Cleanup): Promise<RedisProcess> {
  const dir = await tempDir(cleanup, 'tug-bench-redis-');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir, '--daemonize', 'no', '--logfile', ''];
  const { proc, output } = launch(cleanup, 'redis-server', REDIS_SERVER, args);
  await waitReady('redis-server', proc, output, () => answersPing(port));
  return { pid: proc.pid!, url: `redis://127.0.0.1:${port}` };
}

/**
 * Starts the built `tug server` against `redisUrl` on a free loopback port; resolves once /healthz
 * answers over TLS, with the admin token and CA it wrote to its data dir. `nodeArgs` go to node
 * (e.g. --cpu-prof).
 */
export async function startTugServer(cleanup: Cleanup, redisUrl: string, nodeArgs: string[] = []): Promise<TugServerProcess> {
  if (!existsSync(TUG_BIN)) throw new Error(`${TUG_BIN} is missing: run npm run build first`);
  const dataDir = await tempDir(cleanup, 'tug-bench-server-');
  const port = await freePort();
  const args = [...nodeArgs, TUG_BIN, 'server', '--redis', redisUrl, '--data-dir', dataDir, '--api-port', String(port), '--bind', '127.0.0.1', '--log-level', 'warn'];
  const { proc, output } = launch(cleanup, 'tug server', process.execPath, args);
  const caFile = path.join(dataDir, 'ca.crt');
  let caCertPem = '';
  await waitReady('tug server', proc, output, async () => {
    // Re-read each time: a first read may catch the file half-written.
    caCertPem = existsSync(caFile) ? await readFile(caFile, 'utf8') : '';
    return caCertPem !== '' && (await healthy(port, caCertPem));
  });
  const adminToken = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
  return { pid: proc.pid!, url: `https://127.0.0.1:${port}`, adminToken, caCertPem, output };
}

/**
 * Starts the built `tug agent` against `server` as its own node: node name, bridge, streaming
 * port, data dir and container-label prefix all unique to this run, so that it meets no other
 * agent's pods. Resolves once the agent logs "agent running". Its cleanup stops it, then removes
 * whatever it left: containers carrying its labels, its bridge and its CNI firewall rules.
 * `nodeArgs` go to node (e.g. --cpu-prof).
 */
export async function startTugAgent(cleanup: Cleanup, server: TugServerProcess, nodeArgs: string[] = []): Promise<TugAgentProcess> {
  if (!existsSync(TUG_BIN)) throw new Error(`${TUG_BIN} is missing: run npm run build first`);
  const id = randomBytes(3).toString('hex');
  const agent = { nodeName: `bench-node-${id}`, bridge: `tugb${id}`, labelPrefix: `b${id}.`, chainPrefix: `B${id.toUpperCase()}` };
  const dataDir = await tempDir(cleanup, 'tug-bench-agent-');
  const caFile = path.join(dataDir, 'ca.crt');
  await writeFile(caFile, server.caCertPem);
  const port = await freePort();
  // Registered before the agent starts, so it runs after the agent has stopped.
  cleanup.add(`remove the leftovers of agent ${agent.nodeName}`, async () => {
    await removeAgentLeftovers(agent.labelPrefix, agent.bridge);
    await createRuleApplier({ host: createProxyHost(), prefix: agent.chainPrefix }).cleanup();
  });
  const args = [
    ...nodeArgs, TUG_BIN, 'agent', '--server', server.url, '--token', server.adminToken, '--ca-cert', caFile, '--node-name', agent.nodeName,
    '--node-ip', '127.0.0.1', '--agent-port', String(port), '--bridge', agent.bridge, '--data-dir', path.join(dataDir, 'state'),
    '--runtime-label-prefix', agent.labelPrefix, '--proxy-chain-prefix', agent.chainPrefix, '--log-level', 'info',
  ];
  const { proc, output } = launch(cleanup, 'tug agent', process.execPath, args);
  await waitReady('tug agent', proc, output, async () => output().includes('"agent running"'));
  return { pid: proc.pid!, ...agent, output };
}

/** Removes the containers labelled with `labelPrefix`, the bridge, and the CNI rules of its network (named after the bridge). */
async function removeAgentLeftovers(labelPrefix: string, bridge: string): Promise<void> {
  const ids = (await runCommand('docker', ['ps', '-aq', '--filter', `label=${labelPrefix}io.tugboat.kind`])).split('\n').filter(Boolean);
  if (ids.length) await runCommand('docker', ['rm', '-f', ...ids]);
  await runCommand('ip', ['link', 'del', bridge]).catch(() => undefined);
  const ours = new RegExp(`--comment "?tug-cni:${bridge}[" ]`);
  for (const table of ['nat', 'filter']) {
    const rules = (await runCommand('iptables', ['-w', '5', '-t', table, '-S'])).split('\n').filter((l) => l.startsWith('-A ') && ours.test(l));
    if (rules.length) await runCommand('iptables-restore', ['--noflush', '-w', '5'], [`*${table}`, ...rules.map((l) => l.replace(/^-A /, '-D ')), 'COMMIT', ''].join('\n'));
  }
}
