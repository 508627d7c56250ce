import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { PROBE_USER_AGENT, resolvePort, runExec, runHttpGet, runTcpSocket } from './handlers.js';

let server: http.Server;
let port: number;
let closedPort: number;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const code = Number(req.url!.slice(1)) || 200;
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 500);
    res.statusCode = code;
    res.end('body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const target = { podIP: '127.0.0.1', ports: [{ name: 'web', containerPort: 0 }] };

describe('probe handlers', () => {
  it('resolves ports by number and name', () => {
    expect(resolvePort(8080, [])).toBe(8080);
    expect(resolvePort('8080', [])).toBe(8080);
    expect(resolvePort('web', [{ name: 'web', containerPort: 81 }])).toBe(81);
    expect(() => resolvePort('nope', [])).toThrow(/couldn't find port "nope"/);
  });

  it.each([
    [200, 'success', ''],
    [302, 'success', ''],
    [399, 'success', ''],
    [404, 'failure', 'HTTP probe failed with statuscode: 404'],
    [500, 'failure', 'HTTP probe failed with statuscode: 500'],
  ])('HTTP %d is a %s', async (code, result, output) => {
    expect(await runHttpGet({ path: `/${code}`, port }, target, 1000)).toEqual({ result, output });
  });

  it('sends kube-probe headers plus the probe headers, to the pod IP by default', async () => {
    seen.length = 0;
    await runHttpGet({ path: 'plain', port: 'web', httpHeaders: [{ name: 'X-Custom', value: 'v' }, { name: 'Host', value: 'example.test' }] }, { podIP: '127.0.0.1', ports: [{ name: 'web', containerPort: port }] }, 1000);
    expect(seen[0]).toMatchObject({ 'user-agent': PROBE_USER_AGENT, accept: '*/*', 'x-custom': 'v', host: 'example.test' });
  });

  it('fails on refused connections and timeouts with Go-like messages', async () => {
    expect(await runHttpGet({ path: '/', port: closedPort }, target, 1000)).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${closedPort}/": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
    });
    expect((await runHttpGet({ path: '/slow', port }, target, 100)).output).toBe(`Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    expect(await runHttpGet({ path: '/', port: 'missing' }, target, 100)).toMatchObject({ result: 'error' });
  });

  it('accepts any answer for lifecycle hooks', async () => {
    expect((await runHttpGet({ path: '/500', port }, target, 1000, false)).result).toBe('success');
  });

  it('connects over TCP', async () => {
    expect(await runTcpSocket({ port }, target, 1000)).toEqual({ result: 'success', output: '' });
    expect(await runTcpSocket({ port: closedPort }, target, 1000)).toEqual({ result: 'failure', output: `dial tcp 127.0.0.1:${closedPort}: connect: connection refused` });
  });

  it('runs exec actions with the timeout', async () => {
    const answers: Record<string, Awaited<ReturnType<ContainerRuntime['execSync']>>> = {
      ok: { exitCode: 0, stdout: 'fine', stderr: '', timedOut: false },
      bad: { exitCode: 1, stdout: 'out ', stderr: 'err', timedOut: false },
      slow: { exitCode: -1, stdout: '', stderr: '', timedOut: true },
    };
    const calls: number[] = [];
    const runtime = {
      execSync: async (_id: string, cmd: string[], timeout: number) => {
        calls.push(timeout);
        if (cmd[0] === 'gone') throw new Error('container not running');
        return answers[cmd[0]!]!;
      },
    } as unknown as ContainerRuntime;
    expect(await runExec(runtime, 'c', { command: ['ok'] }, 3)).toEqual({ result: 'success', output: 'fine', exitCode: 0 });
    expect(await runExec(runtime, 'c', { command: ['bad'] }, 3)).toEqual({ result: 'failure', output: 'out err', exitCode: 1 });
    expect(await runExec(runtime, 'c', { command: ['slow', 'x'] }, 3)).toEqual({ result: 'failure', output: 'command "slow x" timed out' });
    expect(await runExec(runtime, 'c', { command: ['gone'] }, 3)).toEqual({ result: 'error', output: 'container not running' });
    expect(calls).toEqual([3, 3, 3, 3]);
  });
});
