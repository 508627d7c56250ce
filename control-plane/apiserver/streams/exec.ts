/**
 * pods/exec and pods/attach: the request is checked (pod, container, node) and the session
 * opened on the agent as a v5/v4 channel WebSocket before the client is answered, so refusals
 * reach kubectl as Status objects. Then either
 *   - the client's WebSocket (kubectl 1.30+) is relayed to the agent's, message for message, or
 *   - the client's SPDY/3.1 streams (kubectl ≤ 1.29, and the fallback of newer ones) are
 *     translated: streamtype stdin/stdout/stderr/resize/error ↔ channels 0/1/2/4/3.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { Channel, CHANNEL_PROTOCOL_V5 } from '../../api/remotecommand.js';
import type { Store } from '../../store/store.js';
import { boolParam, type Query } from '../query.js';
import { RstStatus, SpdySession, type SpdyStream } from './spdy/index.js';
import { getPod, requireAgentEndpoint, resolveContainer, type AgentEndpoint } from './locate.js';
import { pauseUntilDrained } from '../../api/ws-backpressure.js';
import { sendFrom } from './ws-pipe.js';

/** How long the client has to open every stream it asked for, as upstream's streamCreationTimeout. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** How long a finished session waits for the client to hang up before dropping it. */
const LINGER_MS = 30_000;

export type RemoteCommandKind = 'exec' | 'attach';

export interface RemoteCommand {
  endpoint: AgentEndpoint;
  /** Path on the agent. */
  path: string;
  /** The request's query for the agent (command, stdin, stdout, stderr, tty). */
  query: URLSearchParams;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function asQuery(params: URLSearchParams): Query {
  const q: Query = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    q[key] = values.length === 1 ? values[0] : values;
  }
  return q;
}

/** Resolves an exec or attach request to its agent session; StatusErrors as upstream. */
export async function locateRemoteCommand(store: Pick<Store, 'get'>, kind: RemoteCommandKind, namespace: string, name: string, params: URLSearchParams): Promise<RemoteCommand> {
  const q = asQuery(params);
  const pod = await getPod(store, namespace, name);
  const container = resolveContainer(pod, params.get('container') ?? undefined);
  const endpoint = await requireAgentEndpoint(store, pod);
  const query = new URLSearchParams();
  for (const command of params.getAll('command')) query.append('command', command);
  const flags = { stdin: boolParam(q, 'stdin'), stdout: boolParam(q, 'stdout'), stderr: boolParam(q, 'stderr'), tty: boolParam(q, 'tty') };
  for (const [flag, on] of Object.entries(flags)) if (on) query.set(flag, 'true');
  const path = `/${kind}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  return { endpoint, path, query, ...flags };
}

/** The Status for a session the agent ended without one. */
function lostStatus(code: number): Buffer {
  return Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: `the node agent ended the session without a result (close code ${code})`, reason: 'InternalError', code: 500 }));
}

/**
 * Serves a remote command over SPDY on `transport` (already switched to SPDY/3.1), bridged to the
 * agent's WebSocket. The client's streams are awaited first (as upstream does); the agent's output
 * waits meanwhile. At the end stdout and stderr get FIN, the error stream the Status and FIN, and
 * the client hangs up.
 */
export function bridgeSpdyRemoteCommand(transport: Duplex, agent: WebSocket, cmd: RemoteCommand, logger: Logger): SpdySession {
  const log = logger.child({ component: 'exec' });
  const expected = new Set(['error']);
  if (cmd.stdin) expected.add('stdin');
  if (cmd.stdout) expected.add('stdout');
  if (cmd.stderr && !cmd.tty) expected.add('stderr');
  if (cmd.tty) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  const backlog: Buffer[] = [];
  const status: Buffer[] = [];
  let agentClosedWith: number | undefined;
  let ready = false;

  const toAgent = (source: SpdyStream, channel: number, data: Buffer) => sendFrom(source, agent, Buffer.concat([Buffer.of(channel), data]));

  const onStream = (stream: SpdyStream) => {
    const type = stream.header('streamtype') ?? '';
    if (!expected.has(type) || streams.has(type)) {
      stream.reset(RstStatus.RefusedStream);
      return;
    }
    stream.reply();
    streams.set(type, stream);
    if (type === 'stdin') {
      stream.on('data', (chunk: Buffer) => toAgent(stream, Channel.stdin, chunk));
      stream.on('end', () => {
        if (agent.protocol === CHANNEL_PROTOCOL_V5) toAgent(stream, Channel.close, Buffer.of(Channel.stdin));
      });
    } else if (type === 'resize') {
      // One JSON object per line ({"Width":W,"Height":H}); the agent takes one per message.
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.trim()) toAgent(stream, Channel.resize, Buffer.from(line));
      });
    } else {
      // Nothing comes from the client on these.
      stream.resume();
    }
    if (streams.size === expected.size) {
      ready = true;
      clearTimeout(creationTimer);
      for (const message of backlog.splice(0)) deliver(message);
      if (agentClosedWith !== undefined) finish(agentClosedWith);
    }
  };

  const deliver = (message: Buffer) => {
    const payload = message.subarray(1);
    if (message[0] === Channel.error) {
      status.push(payload);
      return;
    }
    const target = message[0] === Channel.stdout ? streams.get('stdout') : message[0] === Channel.stderr ? streams.get('stderr') : undefined;
    if (!target || target.destroyed || target.writableEnded || payload.length === 0) return;
    if (!target.write(payload)) pauseUntilDrained(agent, target);
  };

  const finish = (code: number) => {
    for (const type of ['stdout', 'stderr']) {
      const s = streams.get(type);
      if (s && !s.destroyed && !s.writableEnded) s.end();
    }
    const error = streams.get('error');
    if (error && !error.destroyed && !error.writableEnded) error.end(status.length ? Buffer.concat(status) : lostStatus(code));
    setTimeout(() => session.destroy(), LINGER_MS).unref();
  };

  const session = new SpdySession(transport, { onStream, logger });
  const creationTimer = setTimeout(() => {
    log.debug({ expected: [...expected], opened: [...streams.keys()] }, 'client did not open its streams in time');
    session.destroy();
  }, STREAM_CREATION_TIMEOUT_MS);
  agent.on('message', (data: Buffer) => (ready ? deliver(data) : backlog.push(data)));
  agent.on('close', (code: number) => {
    agentClosedWith = code;
    if (ready) finish(code);
  });
  agent.on('error', () => undefined);
  void session.closed.then(() => {
    clearTimeout(creationTimer);
    agent.terminate();
  });
  return session;
}
