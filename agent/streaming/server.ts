/**
 * The agent's streaming server: HTTPS on the node's agent port (10250 by default), reached by the
 * API server for `kubectl logs|exec|attach|port-forward`, at upstream's kubelet paths:
 *   GET /containerLogs/{namespace}/{pod}/{container}   logs.ts
 *   GET /exec/{namespace}/{pod}/{container}            remotecommand.ts (WebSocket)
 *   GET /attach/{namespace}/{pod}/{container}          remotecommand.ts (WebSocket)
 *   GET /portForward/{namespace}/{pod}                 portforward.ts (WebSocket)
 * Every request needs a bearer token of a system:masters user (auth.ts). Refusals are plain text
 * with the kubelet's status codes: 400 bad request or container not streamable, 401, 403, 404
 * unknown pod or path, 500 runtime failure.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHANNEL_PROTOCOLS } from '../../control-plane/api/remotecommand.js';
import type { ApiClient } from '../../control-plane/client/api-client.js';
import type { KeyPairPem } from '../../control-plane/client/certs.js';
import type { ContainerRuntime, StreamSession } from '../runtime/runtime.js';
import { TokenReviewer } from './auth.js';
import { HttpError, refuseUpgrade, sendError, toHttpError } from './http-error.js';
import { serveLogs } from './logs.js';
import { parsePorts, portForwardSandbox, pumpPortForward } from './portforward.js';
import { parseRemoteCommandQuery, pumpRemoteCommand, startRemoteCommand } from './remotecommand.js';
import type { StreamTargets } from './targets.js';
import { selfSignedServingCert } from './tls.js';

export const DEFAULT_STREAMING_PORT = 10250;

export interface StreamingServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Address to listen on; default all (the API server reaches the node's InternalIP). */
  host?: string;
  runtime: ContainerRuntime;
  targets: StreamTargets;
  /** The agent's API client: token reviews go through it. */
  client: Pick<ApiClient, 'request'>;
  logger: Logger;
  /** Serving key and certificate; default a self-signed pair made at start. */
  tls?: KeyPairPem;
}

export interface StreamingServer {
  /** The port it listens on. */
  port: number;
  /** Stops listening and ends every stream in progress. */
  close(): Promise<void>;
}

const NOT_FOUND = new HttpError(404, '404 page not found');

type Route =
  | { kind: 'containerLogs' | 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string };

/** The route of a path, or undefined. */
function parseRoute(pathname: string): Route | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [kind, namespace, pod, container] = parts;
  if (!namespace || !pod) return undefined;
  if ((kind === 'containerLogs' || kind === 'exec' || kind === 'attach') && parts.length === 4) return { kind, namespace, pod, container: container! };
  if (kind === 'portForward' && parts.length === 3) return { kind, namespace, pod };
  return undefined;
}

/** The channel protocol to speak: the first of ours the client offers. */
function chooseProtocol(header: string | undefined): string {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  const chosen = CHANNEL_PROTOCOLS.find((p) => offered.includes(p));
  if (!chosen) throw new HttpError(400, `a WebSocket subprotocol is required, one of: ${CHANNEL_PROTOCOLS.join(', ')}`);
  return chosen;
}

export async function startStreamingServer(opts: StreamingServerOptions): Promise<StreamingServer> {
  const log = opts.logger.child({ component: 'streaming' });
  const tls = opts.tls ?? (await selfSignedServingCert());
  const reviewer = new TokenReviewer(opts.client);
  const deps = { runtime: opts.runtime, targets: opts.targets };
  const protocols = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => protocols.get(req) ?? false });
  /** Upgraded connections; the HTTP server does not track them. */
  const active = new Set<WebSocket>();

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://agent');
    const route = parseRoute(url.pathname);
    try {
      if (!route) throw NOT_FOUND;
      if (req.method !== 'GET') throw new HttpError(405, `method ${req.method} is not allowed`);
      await reviewer.authorize(req.headers.authorization);
      if (route.kind !== 'containerLogs') throw new HttpError(400, 'Upgrade request required');
      await serveLogs(res, route, url.searchParams, deps);
    } catch (err) {
      const e = toHttpError(err);
      if (e.code >= 500) log.error({ err, url: req.url }, 'streaming request failed');
      sendError(res, e);
    }
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://agent');
    const route = parseRoute(url.pathname);
    try {
      if (!route || route.kind === 'containerLogs') throw NOT_FOUND;
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new HttpError(400, 'only WebSocket upgrades are served');
      await reviewer.authorize(req.headers.authorization);
      protocols.set(req, chooseProtocol(req.headers['sec-websocket-protocol']));
      if (route.kind === 'portForward') {
        const ports = parsePorts(url.searchParams);
        const sandboxId = await portForwardSandbox(route.namespace, route.pod, opts.targets);
        upgrade(req, socket, head, (ws) => pumpPortForward(ws, { ...route, sandboxId, ports }, opts.runtime, log));
        return;
      }
      const command = parseRemoteCommandQuery(route.kind, url.searchParams);
      const session: StreamSession = await startRemoteCommand(command, route, deps);
      upgrade(req, socket, head, (ws) => pumpRemoteCommand(ws, command, session, log), () => {
        session.stdout?.destroy();
        session.stderr?.destroy();
        session.stdin?.destroy();
      });
    } catch (err) {
      const e = toHttpError(err);
      if (e.code >= 500) log.error({ err, url: req.url }, 'streaming upgrade failed');
      refuseUpgrade(socket, e);
    }
  };

  /** Completes the WebSocket handshake and runs `pump`; `abandon` when the handshake fails. */
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, pump: (ws: WebSocket) => Promise<void>, abandon?: () => void) => {
    // The client may have gone while the session was being set up.
    if (socket.destroyed) {
      abandon?.();
      return;
    }
    let upgraded = false;
    socket.once('close', () => {
      if (!upgraded) abandon?.();
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      active.add(ws);
      ws.once('close', () => active.delete(ws));
      pump(ws).catch((err) => {
        log.error({ err, url: req.url }, 'stream failed');
        ws.terminate();
      });
    });
  };

  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => void onRequest(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void onUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'streaming server listening');

  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ws of active) ws.terminate();
      // Also ends the log streams in progress.
      server.closeAllConnections();
      wss.close();
      await closed;
    },
  };
}
