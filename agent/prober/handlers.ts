/**
 * The actions probes and lifecycle hooks run against a container, as upstream's probers:
 * - httpGet: GET scheme://host:port/path (host defaults to the pod IP; HTTPS certificates are not
 *   verified), headers from httpHeaders (a Host header sets the request host), User-Agent
 *   kube-probe/<version> and Accept `*\/*` unless given; 200–399 is success; the body is not kept;
 * - tcpSocket: a TCP connect;
 * - exec: the command in the container (runtime.execSync) with the timeout; exit 0 is success.
 * Ports are numbers or names of the container's ports. Failures carry upstream-like output
 * ("HTTP probe failed with statuscode: 500", "dial tcp 10.0.0.5:80: connect: connection refused").
 * An `error` outcome means the probe could not run at all (its result is then discarded).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ContainerPort, ExecAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from '../runtime/runtime.js';

export interface Outcome {
  result: 'success' | 'failure' | 'error';
  output: string;
  /** exec: the command's exit code, when it ended. */
  exitCode?: number;
}

export const PROBE_USER_AGENT = 'kube-probe/1.33';

/** A port by number, or by the name of one of the container's ports. */
export function resolvePort(port: number | string, ports: ContainerPort[] | undefined): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = (ports ?? []).find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port ${JSON.stringify(port)} in the container's ports`);
  return named.containerPort;
}

/** A socket error as Go's dialer words it. */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const what: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    ECONNRESET: 'read: connection reset by peer',
    ETIMEDOUT: 'i/o timeout',
  };
  return `dial tcp ${host.includes(':') ? `[${host}]` : host}:${port}: ${what[err.code ?? ''] ?? err.message}`;
}

export interface HttpTarget {
  podIP: string;
  ports?: ContainerPort[];
}

/**
 * Runs an httpGet action. `checkStatus` false (lifecycle hooks) accepts any answer.
 */
export function runHttpGet(action: HTTPGetAction, target: HttpTarget, timeoutMs: number, checkStatus = true): Promise<Outcome> {
  let port: number;
  try {
    port = resolvePort(action.port, target.ports);
  } catch (err) {
    return Promise.resolve({ result: 'error', output: (err as Error).message });
  }
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || target.podIP;
  const pathPart = (action.path ?? '/').startsWith('/') ? (action.path ?? '/') : `/${action.path}`;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${hostPart}:${port}${pathPart}`;
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const lib = scheme === 'https' ? https : http;
    const req = lib.request(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (!checkStatus || (code >= 200 && code < 400)) done({ result: 'success', output: '' });
        else done({ result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', (err) => done({ result: 'failure', output: `Get "${url}": ${err.message}` }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ result: 'failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err: NodeJS.ErrnoException) => done({ result: 'failure', output: `Get "${url}": ${dialError(err, host, port)}` }));
    req.end();
  });
}

export function runTcpSocket(action: TCPSocketAction, target: HttpTarget, timeoutMs: number): Promise<Outcome> {
  let port: number;
  try {
    port = resolvePort(action.port, target.ports);
  } catch (err) {
    return Promise.resolve({ result: 'error', output: (err as Error).message });
  }
  const host = action.host || target.podIP;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: 'failure', output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'success', output: '' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'failure', output: dialError(err, host, port) });
    });
  });
}

/** Runs an exec action; timeoutSeconds 0 = no limit. */
export async function runExec(runtime: ContainerRuntime, containerId: string, action: ExecAction, timeoutSeconds: number): Promise<Outcome> {
  const command = action.command ?? [];
  try {
    const r = await runtime.execSync(containerId, command, timeoutSeconds);
    if (r.timedOut) return { result: 'failure', output: `command ${JSON.stringify(command.join(' '))} timed out` };
    return { result: r.exitCode === 0 ? 'success' : 'failure', output: r.stdout + r.stderr, exitCode: r.exitCode };
  } catch (err) {
    return { result: 'error', output: (err as Error).message };
  }
}
