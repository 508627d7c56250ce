/**
 * Port-forward over a WebSocket channel protocol: GET /portForward/{namespace}/{pod}?port=P[&port=Q]
 * with subprotocol v5.channel.k8s.io (or v4, without half-close). One connection to each port on
 * the pod's loopback, opened at once; port i uses channel 2i for data and 2i+1 for errors, and
 * the server's first message on each starts with the port (16 bits, little-endian), as upstream's
 * kubelet frames it. The client sends [2i, bytes]; with v5, [255, 2i] half-closes connection i.
 * A connection the pod refuses or breaks gets its error as text on 2i+1. Once every connection
 * has ended the server closes with 1000; when the client closes, every connection is dropped.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { Channel, CHANNEL_PROTOCOL_V5, portDataChannel, portErrorChannel } from '../../control-plane/api/remotecommand.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { pauseUntilDrained } from '../../control-plane/api/ws-backpressure.js';
import { HttpError } from './http-error.js';
import { targetErrors, type StreamTargets } from './targets.js';

/** The ports of the query: at least one, each 1..65535. */
export function parsePorts(q: URLSearchParams): number[] {
  const values = q.getAll('port');
  if (values.length === 0) throw new HttpError(400, 'query parameter "port" is required');
  return values.map((v) => {
    const port = Number(v);
    if (!/^\d+$/.test(v) || port < 1 || port > 65535) throw new HttpError(400, `invalid port "${v}": must be between 1 and 65535`);
    return port;
  });
}

/** The sandbox to forward into; throws when this agent runs no such pod. */
export async function portForwardSandbox(namespace: string, pod: string, targets: StreamTargets): Promise<string> {
  const sandbox = await targets.sandboxFor(namespace, pod);
  if (!sandbox) throw targetErrors.podNotFound(pod);
  return sandbox;
}

function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

function send(ws: WebSocket, channel: number, data: Buffer): Promise<void> {
  if (ws.readyState !== ws.OPEN) return Promise.resolve();
  return new Promise((resolve) => ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true }, () => resolve()));
}

/** Forwards the ports through an upgraded WebSocket until every connection ended or the client left. */
export async function pumpPortForward(
  ws: WebSocket,
  target: { namespace: string; pod: string; sandboxId: string; ports: number[] },
  runtime: ContainerRuntime,
  log: Logger,
): Promise<void> {
  const v5 = ws.protocol === CHANNEL_PROTOCOL_V5;
  const connections = target.ports.map((port) => runtime.portForward(target.sandboxId, port));
  // Failures are reported below, connection by connection.
  for (const c of connections) c.catch(() => undefined);
  // The connections once open, and what the client sent before, for the message handler.
  const open: (Duplex | undefined)[] = target.ports.map(() => undefined);
  const pending: Buffer[][] = target.ports.map(() => []);
  const halfClosed = target.ports.map(() => false);

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    if (data[0] === Channel.close) {
      if (!v5 || data.length < 2 || data[1]! % 2 !== 0) return;
      const i = data[1]! / 2;
      if (i >= target.ports.length) return;
      halfClosed[i] = true;
      open[i]?.end();
      return;
    }
    if (data[0]! % 2 !== 0) return;
    const i = data[0]! / 2;
    if (i >= target.ports.length || data.length === 1) return;
    const conn = open[i];
    if (conn) {
      if (!conn.write(data.subarray(1))) pauseUntilDrained(ws, conn);
    } else pending[i]!.push(Buffer.from(data.subarray(1)));
  });
  ws.on('close', () => {
    for (const c of connections) c.then((conn) => conn.destroy(), () => undefined);
  });

  for (const [i, port] of target.ports.entries()) {
    await send(ws, portDataChannel(i), portPrefix(port));
    await send(ws, portErrorChannel(i), portPrefix(port));
  }

  await Promise.all(
    target.ports.map(async (port, i) => {
      try {
        const conn = await connections[i]!;
        if (ws.readyState !== ws.OPEN) return;
        open[i] = conn;
        for (const data of pending[i]!.splice(0)) conn.write(data);
        if (halfClosed[i]) conn.end();
        for await (const chunk of conn) {
          if (ws.readyState !== ws.OPEN) break;
          await send(ws, portDataChannel(i), chunk as Buffer);
        }
      } catch (err) {
        log.debug({ err, port }, 'port-forward connection failed');
        await send(ws, portErrorChannel(i), Buffer.from(`error forwarding port ${port} to pod ${target.namespace}/${target.pod}: ${(err as Error).message}`));
      }
    }),
  );
  if (ws.readyState === ws.OPEN) ws.close(1000);
}
