/**
 * exec and attach over a WebSocket channel protocol (v5.channel.k8s.io, or v4 without CLOSE):
 * GET /exec/{namespace}/{pod}/{container}?command=…&stdin&stdout&stderr&tty and
 * GET /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty.
 *
 * Client → server: [0, stdin bytes], [4, {"Width":W,"Height":H}], v5 [255, 0] = stdin EOF.
 * Server → client: [1, stdout], [2, stderr], then [3, Status JSON] once the process ended and all
 * its output was sent, then close 1000. The Status is Success, or for exec a NonZeroExitCode
 * failure carrying the exit code (kubectl exits with it); attach reports Success when the stream
 * ends, as upstream does.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { Channel, CHANNEL_PROTOCOL_V5, EXIT_CODE_CAUSE, NON_ZERO_EXIT_CODE_REASON } from '../../control-plane/api/remotecommand.js';
import type { ContainerRuntime, StreamOptions, StreamSession } from '../runtime/runtime.js';
import { pauseUntilDrained } from '../../control-plane/api/ws-backpressure.js';
import { HttpError } from './http-error.js';
import { boolQuery } from './query.js';
import { streamContainer, type StreamTargets } from './targets.js';

export type RemoteCommandKind = 'exec' | 'attach';

export interface RemoteCommandRequest {
  kind: RemoteCommandKind;
  command: string[];
  streams: StreamOptions;
}

/** Reads the query of an exec or attach: a command for exec, and at least one stream. */
export function parseRemoteCommandQuery(kind: RemoteCommandKind, q: URLSearchParams): RemoteCommandRequest {
  const command = q.getAll('command');
  if (kind === 'exec' && command.length === 0) throw new HttpError(400, 'you must specify at least one command for the container');
  const tty = boolQuery(q, 'tty');
  // With a terminal, stderr is merged into stdout (upstream ignores stderr=true then).
  const streams: StreamOptions = { stdin: boolQuery(q, 'stdin'), stdout: boolQuery(q, 'stdout'), stderr: boolQuery(q, 'stderr') && !tty, tty };
  if (!streams.stdin && !streams.stdout && !streams.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  return { kind, command, streams };
}

/** Starts the exec or attach session (before the upgrade, so that a failure is still an HTTP answer). */
export async function startRemoteCommand(
  req: RemoteCommandRequest,
  target: { namespace: string; pod: string; container: string },
  deps: { runtime: ContainerRuntime; targets: StreamTargets },
): Promise<StreamSession> {
  const id = await streamContainer(deps.targets, target, false);
  return req.kind === 'exec' ? deps.runtime.exec(id, req.command, req.streams) : deps.runtime.attach(id, req.streams);
}

/** The Status JSON that ends a session. */
export function finalStatus(req: RemoteCommandRequest, outcome: { exitCode: number } | { error: Error }): object {
  if ('error' in outcome) return { metadata: {}, status: 'Failure', message: outcome.error.message, reason: 'InternalError', code: 500 };
  if (req.kind === 'attach' || outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${req.command.join(' ')}], exit code ${outcome.exitCode}`,
    reason: NON_ZERO_EXIT_CODE_REASON,
    details: { causes: [{ reason: EXIT_CODE_CAUSE, message: String(outcome.exitCode) }] },
  };
}

function send(ws: WebSocket, channel: number, data: Buffer): Promise<void> {
  if (ws.readyState !== ws.OPEN) return Promise.resolve();
  return new Promise((resolve) => ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true }, () => resolve()));
}

/**
 * Output of one stream to its channel, message by message as the socket takes them. Ends quietly
 * when the client left or the stream broke (the session's exit code then tells what happened).
 */
async function forward(ws: WebSocket, source: Readable | undefined, channel: number): Promise<void> {
  if (!source) return;
  try {
    for await (const chunk of source) {
      if (ws.readyState !== ws.OPEN) break;
      await send(ws, channel, chunk as Buffer);
    }
  } catch {
    return;
  } finally {
    if (ws.readyState !== ws.OPEN) source.destroy();
  }
}

/**
 * Pumps a running session through an upgraded WebSocket until the process ended (then Status and
 * close 1000) or the client left (then the session is abandoned: its streams are destroyed).
 */
export async function pumpRemoteCommand(ws: WebSocket, req: RemoteCommandRequest, session: StreamSession, log: Logger): Promise<void> {
  const v5 = ws.protocol === CHANNEL_PROTOCOL_V5;
  const stdin = session.stdin;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case Channel.stdin:
        if (stdin && !stdin.writableEnded && payload.length > 0 && !stdin.write(payload)) pauseUntilDrained(ws, stdin);
        return;
      case Channel.resize: {
        let size: { Width?: unknown; Height?: unknown };
        try {
          size = JSON.parse(payload.toString('utf8'));
        } catch {
          return;
        }
        if (typeof size.Width === 'number' && typeof size.Height === 'number' && size.Width > 0 && size.Height > 0) {
          session.resize(size.Width, size.Height).catch((err) => log.debug({ err }, 'terminal resize failed'));
        }
        return;
      }
      case Channel.close:
        if (v5 && payload[0] === Channel.stdin) stdin?.end();
        return;
    }
  });
  ws.on('close', () => {
    session.stdout?.destroy();
    session.stderr?.destroy();
    stdin?.destroy();
  });
  stdin?.on('error', (err) => log.debug({ err }, 'stdin of the session failed'));

  await Promise.all([forward(ws, session.stdout, Channel.stdout), forward(ws, session.stderr, Channel.stderr)]);
  let outcome: { exitCode: number } | { error: Error };
  try {
    outcome = { exitCode: await session.exitCode };
  } catch (err) {
    outcome = { error: err as Error };
  }
  if (ws.readyState !== ws.OPEN) return;
  await send(ws, Channel.error, Buffer.from(JSON.stringify(finalStatus(req, outcome))));
  ws.close(1000);
}
