/**
 * The pod stream subresources, served through the pod's node agent:
 *   GET pods/{name}/log                                   → log.ts
 *   pods/{name}/exec, pods/{name}/attach (upgrade)        → exec.ts
 *   pods/{name}/portforward (upgrade)                     → portforward.ts
 * Upgrades come as WebSocket (kubectl 1.30+: channel protocols for exec/attach, SPDY tunnelled for
 * port-forward) or as SPDY/3.1 (older kubectl, and the fallback of newer ones). Every refusal
 * happens before the upgrade, as a Status. The caller has authenticated the request.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { CHANNEL_PROTOCOLS, PORT_FORWARD_PROTOCOL, PORT_FORWARD_TUNNEL_PROTOCOL } from '../../api/remotecommand.js';
import { badRequest, StatusError } from '../../api/status.js';
import type { Store } from '../../store/store.js';
import type { Query } from '../query.js';
import { parseResourcePath } from '../request-info.js';
import { AgentDialer, MAX_MESSAGE_BYTES } from './agent-dialer.js';
import { bridgeSpdyRemoteCommand, locateRemoteCommand } from './exec.js';
import { getPod, requireAgentEndpoint } from './locate.js';
import { serveLog } from './log.js';
import { servePortForward } from './portforward.js';
import type { SpdySession } from './spdy/index.js';
import { pipeWebSockets } from './ws-pipe.js';

export interface PodStreamsOptions {
  store: Pick<Store, 'get'>;
  /** The API server's credential for agents (a system:masters token); without it agents refuse. */
  agentToken?: string;
  logger: Logger;
}

type StreamSubresource = 'exec' | 'attach' | 'portforward';

/** The pod and subresource of an exec/attach/portforward path, or undefined for any other path. */
export function podStreamPath(pathname: string): { namespace: string; name: string; subresource: StreamSubresource } | undefined {
  const path = parseResourcePath(pathname);
  if (!path || path.group !== '' || path.version !== 'v1' || path.resource !== 'pods' || !path.name || !path.namespace) return undefined;
  const sub = path.subresource;
  if (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') return undefined;
  return { namespace: path.namespace, name: path.name, subresource: sub };
}

/** The comma-separated values of a header that may also repeat. */
function headerValues(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Switches an upgraded connection to SPDY/3.1 speaking `protocol`. */
function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
}

export class PodStreams {
  private readonly dialer: AgentDialer;
  private readonly log: Logger;
  /** Subprotocol each upgrading request is answered with. */
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  /**
   * Subprotocols the ws library refuses to parse (SPDY/3.1+portforward.k8s.io is no RFC 7230
   * token): taken off the request before the handshake and announced in the 101 here.
   */
  private readonly announced = new WeakMap<IncomingMessage, string>();
  private readonly wss: WebSocketServer;
  private readonly active = new Set<{ destroy(): void } | WebSocket>();

  constructor(private readonly opts: PodStreamsOptions) {
    this.dialer = new AgentDialer(opts.agentToken);
    this.log = opts.logger.child({ component: 'pod-streams' });
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_MESSAGE_BYTES, handleProtocols: (_offered, req) => this.chosen.get(req) ?? false });
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const protocol = this.announced.get(req);
      if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
    });
  }

  /** GET pods/{name}/log. Throws StatusErrors before anything is sent. */
  serveLog(reply: FastifyReply, namespace: string, name: string, query: Query): Promise<void> {
    return serveLog(reply, this.opts.store, this.dialer, namespace, name, query);
  }

  /**
   * Serves an upgrade request of pods/exec|attach|portforward; false (and nothing done) for any
   * other path. Throws StatusErrors before upgrading; the caller answers them.
   */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://apiserver');
    const target = podStreamPath(url.pathname);
    if (!target) return false;
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') throw badRequest(`unsupported upgrade "${req.headers.upgrade ?? ''}": use websocket or SPDY/3.1`);
    const { namespace, name, subresource } = target;

    if (subresource === 'portforward') {
      const endpoint = await requireAgentEndpoint(this.opts.store, await getPod(this.opts.store, namespace, name));
      const pf = { namespace, pod: name, endpoint };
      if (upgrade === 'websocket') {
        if (!headerValues(req.headers['sec-websocket-protocol']).includes(PORT_FORWARD_TUNNEL_PROTOCOL)) throw badRequest(`port-forward over WebSocket needs the subprotocol ${PORT_FORWARD_TUNNEL_PROTOCOL}`);
        delete req.headers['sec-websocket-protocol'];
        this.announced.set(req, PORT_FORWARD_TUNNEL_PROTOCOL);
        this.accept(req, socket, head, (ws) => this.track(servePortForward(createWebSocketStream(ws), pf, this.dialer, this.log)));
      } else {
        this.negotiate(req, [PORT_FORWARD_PROTOCOL]);
        acceptSpdy(socket, head, PORT_FORWARD_PROTOCOL);
        this.track(servePortForward(socket, pf, this.dialer, this.log));
      }
      return true;
    }

    const cmd = await locateRemoteCommand(this.opts.store, subresource, namespace, name, url.searchParams);
    if (upgrade === 'websocket') {
      const offered = headerValues(req.headers['sec-websocket-protocol']).filter((p) => CHANNEL_PROTOCOLS.includes(p));
      if (offered.length === 0) throw badRequest(`${subresource} over WebSocket needs one of the subprotocols ${CHANNEL_PROTOCOLS.join(', ')}`);
      const agent = await this.dialer.websocket(cmd.endpoint, cmd.path, cmd.query, offered);
      this.chosen.set(req, agent.protocol);
      this.track(agent);
      this.accept(req, socket, head, (client) => pipeWebSockets(client, agent), () => agent.terminate());
    } else {
      const protocol = this.negotiate(req, CHANNEL_PROTOCOLS);
      const agent = await this.dialer.websocket(cmd.endpoint, cmd.path, cmd.query, CHANNEL_PROTOCOLS);
      if (socket.destroyed) {
        agent.terminate();
        return true;
      }
      this.track(agent);
      acceptSpdy(socket, head, protocol);
      this.track(bridgeSpdyRemoteCommand(socket, agent, cmd, this.log));
    }
    return true;
  }

  /** Ends every stream in progress (server shutdown). */
  close(): void {
    for (const s of this.active) {
      if ('terminate' in s) s.terminate();
      else s.destroy();
    }
    this.active.clear();
    this.wss.close();
  }

  /** The client's first X-Stream-Protocol-Version that is in `supported`; 403 when none, as upstream. */
  private negotiate(req: IncomingMessage, supported: string[]): string {
    const offered = headerValues(req.headers['x-stream-protocol-version']);
    const protocol = offered.find((p) => supported.includes(p));
    if (!protocol) throw new StatusError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`);
    return protocol;
  }

  /** Completes a WebSocket handshake and runs `serve`; `abandon` when the handshake fails. */
  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, serve: (ws: WebSocket) => void, abandon?: () => void): void {
    // The client may have gone while the agent was being dialled.
    if (socket.destroyed) {
      abandon?.();
      return;
    }
    let upgraded = false;
    socket.once('close', () => {
      if (!upgraded) abandon?.();
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      this.track(ws);
      serve(ws);
    });
  }

  private track(item: SpdySession | WebSocket): void {
    this.active.add(item);
    if ('closed' in item) void item.closed.then(() => this.active.delete(item));
    else item.once('close', () => this.active.delete(item));
  }
}
