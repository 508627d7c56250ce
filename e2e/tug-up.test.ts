/**
 * `tug up` as a user runs it: one command starts redis-server, the control plane and a node agent,
 * writes a kubeconfig (0600) that kubectl uses at once, serves health and metrics, and Ctrl-C stops
 * everything it started. A second `tug up` on the same data dir finds every object again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from './harness/kubectl.js';
import { freePort, TUG_BIN } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

let dir: string;
let port: number;
let agentPort: number;
const id = randomBytes(3).toString('hex');
const bridge = `tugu${id}`;
const chainPrefix = `U${id.toUpperCase()}`;
const nodeName = `up-${id}`;
let kubeconfig: string;
const children: ChildProcess[] = [];

function tugUp(): { proc: ChildProcess; output: () => string } {
  const args = ['up', '--data-dir', path.join(dir, 'data'), '--api-port', String(port), '--bind', '127.0.0.1', '--kubeconfig', kubeconfig];
  const agentArgs = ['--node-name', nodeName, '--node-ip', '127.0.0.1', '--agent-port', String(agentPort), '--bridge', bridge, '--runtime-label-prefix', `${bridge}.`, '--proxy-chain-prefix', chainPrefix];
  const proc = spawn(process.execPath, [TUG_BIN, ...args, ...agentArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  return { proc, output: () => out };
}

function get(pathname: string, token?: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: pathname, rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** redis-server processes whose command line names this test's data dir. */
function redisChildren(): string[] {
  try {
    return execFileSync('pgrep', ['-f', `redis-server.*${dir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-up-'));
  port = await freePort();
  agentPort = await freePort();
  kubeconfig = path.join(dir, 'home', '.kube', 'config');
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const pid of redisChildren()) process.kill(Number(pid), 'SIGKILL');
  // Pods, service rules, pod network rules and the bridge the agent left (pods keep running when tug up stops).
  execFileSync(process.execPath, [TUG_BIN, 'reset', '--bridge', bridge, '--runtime-label-prefix', `${bridge}.`, '--proxy-chain-prefix', chainPrefix], { stdio: 'ignore' });
  await rm(dir, { recursive: true, force: true });
});

describe('tug up', () => {
  it('starts a cluster kubectl can use, and Ctrl-C stops everything it started', async () => {
    const { proc, output } = tugUp();
    await waitFor(() => output().includes('Tugboat is up'), 'tug up ready', 30_000);
    expect(output()).toContain(`kubeconfig: ${kubeconfig}`);
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
    expect(await kubectlOk(kubeconfig, ['get', 'namespaces'])).toMatch(/^kube-system\s+Active/m);
    // The node agent of tug up registers this machine as a Ready node.
    await waitFor(async () => new RegExp(`^${nodeName}\\s+Ready\\s`, 'm').test(await kubectlOk(kubeconfig, ['get', 'nodes'])), 'node Ready', 60_000);
    await kubectlOk(kubeconfig, ['create', 'configmap', 'survivor', '--from-literal=a=1']);

    expect((await get('/healthz')).body).toBe('ok');
    expect((await get('/api')).code).toBe(401);
    const token = (await import('node:fs')).readFileSync(path.join(dir, 'data', 'admin.token'), 'utf8').trim();
    const metrics = await get('/metrics', token);
    expect(metrics.code).toBe(200);
    expect(metrics.body).toMatch(/^apiserver_request_total\{verb="POST",resource="configmaps",code="201"\} 1$/m);
    expect(redisChildren()).toHaveLength(1);

    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(redisChildren()).toHaveLength(0);
  });

  it('a second tug up on the same data dir finds every object again', async () => {
    const { proc, output } = tugUp();
    await waitFor(() => output().includes('Tugboat is up'), 'tug up ready', 30_000);
    expect(await kubectlOk(kubeconfig, ['get', 'configmap', 'survivor', '-o', 'jsonpath={.data.a}'])).toBe('1');
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
