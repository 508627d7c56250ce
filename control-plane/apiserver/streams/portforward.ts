/**
 * pods/portforward: kubectl speaks SPDY/3.1, raw (≤ 1.30) or tunnelled in a WebSocket (1.31+).
 * For each local connection it opens two streams carrying the same `requestid` and the `port`:
 * streamtype=error (which it half-closes at once) and streamtype=data. Each pair becomes one
 * WebSocket to the agent's /portForward (agent framing: remotecommand.ts in control-plane/api):
 * data flows both ways, the client's FIN half-closes the pod connection, and when the agent ends
 * the data stream gets FIN and the error stream the agent's error text (if any) and FIN.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { Channel, CHANNEL_PROTOCOL_V5, portDataChannel, portErrorChannel } from '../../api/remotecommand.js';
import type { AgentDialer } from './agent-dialer.js';
import type { AgentEndpoint } from './locate.js';
import { RstStatus, SpdySession, type SpdyStream } from './spdy/index.js';
import { pauseUntilDrained } from '../../api/ws-backpressure.js';
import { sendFrom } from './ws-pipe.js';

/** How long the second stream of a pair may take to arrive. */
const PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  namespace: string;
  pod: string;
  endpoint: AgentEndpoint;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** The port of a stream's `port` header, or undefined when it is not 1..65535. */
function portOf(stream: SpdyStream): number | undefined {
  const text = stream.header('port') ?? '';
  const port = Number(text);
  return /^\d+$/.test(text) && port >= 1 && port <= 65535 ? port : undefined;
}

/** Serves port-forward over SPDY on `transport` until the client hangs up. */
export function servePortForward(transport: Duplex, target: PortForwardTarget, dialer: AgentDialer, logger: Logger): SpdySession {
  const log = logger.child({ component: 'portforward', namespace: target.namespace, pod: target.pod });
  const pairs = new Map<string, Pair>();
  const agents = new Set<WebSocket>();

  const forward = async (error: SpdyStream, data: SpdyStream) => {
    const port = portOf(data);
    if (port === undefined) {
      error.end(`invalid port "${data.header('port') ?? ''}": must be between 1 and 65535`);
      data.end();
      return;
    }
    let agent: WebSocket;
    try {
      agent = await dialer.websocket(target.endpoint, `/portForward/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.pod)}`, new URLSearchParams({ port: String(port) }), [CHANNEL_PROTOCOL_V5]);
    } catch (err) {
      log.debug({ err, port }, 'agent refused the port-forward');
      if (!error.destroyed) error.end(`error forwarding port ${port} to pod ${target.namespace}/${target.pod}: ${(err as Error).message}`);
      if (!data.destroyed) data.end();
      return;
    }
    if (data.destroyed) {
      agent.close(1000);
      return;
    }
    agents.add(agent);
    const dataChannel = portDataChannel(0);
    const errorChannel = portErrorChannel(0);
    // The agent's first message on each channel starts with the port.
    const prefixed = new Set([dataChannel, errorChannel]);
    const errors: Buffer[] = [];
    agent.on('message', (message: Buffer) => {
      const channel = message[0]!;
      let payload = message.subarray(1);
      if (prefixed.delete(channel)) payload = payload.subarray(2);
      if (channel === errorChannel) errors.push(payload);
      else if (channel === dataChannel && payload.length > 0 && !data.destroyed && !data.writableEnded && !data.write(payload)) pauseUntilDrained(agent, data);
    });
    agent.on('close', () => {
      agents.delete(agent);
      if (!data.destroyed && !data.writableEnded) data.end();
      if (!error.destroyed && !error.writableEnded) error.end(Buffer.concat(errors));
    });
    data.on('data', (chunk: Buffer) => sendFrom(data, agent, Buffer.concat([Buffer.of(dataChannel), chunk])));
    data.on('end', () => sendFrom(data, agent, Buffer.of(Channel.close, dataChannel)));
    // Reset by the client, or the session ended, before the agent finished: drop the pod connection.
    data.on('close', () => {
      if (!data.writableFinished) agent.close(1000);
    });
  };

  const onStream = (stream: SpdyStream) => {
    const type = stream.header('streamtype');
    if (type !== 'error' && type !== 'data') {
      stream.reset(RstStatus.RefusedStream);
      return;
    }
    // Clients before requestid paired the streams by id: the data stream follows its error stream.
    const requestId = stream.header('requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
    let pair = pairs.get(requestId);
    if (pair?.[type]) {
      stream.reset(RstStatus.ProtocolError);
      return;
    }
    stream.reply();
    if (type === 'error') stream.resume();
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(requestId);
        pair?.error?.reset();
        pair?.data?.reset();
      }, PAIR_TIMEOUT_MS);
      pair = { timer };
      pairs.set(requestId, pair);
    }
    pair[type] = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      void forward(pair.error, pair.data);
    }
  };

  const session = new SpdySession(transport, { onStream, logger });
  void session.closed.then(() => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    pairs.clear();
    for (const agent of agents) agent.terminate();
  });
  return session;
}
