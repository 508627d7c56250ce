/**
 * Moving messages between WebSockets and streams with backpressure: a source is paused while the
 * socket holds more than HIGH_WATER bytes unsent (a socket while the stream it feeds is full:
 * control-plane/api/ws-backpressure.ts).
 */
import { WebSocket } from 'ws';

const HIGH_WATER = 1024 * 1024;

/** Something that can be paused and resumed: a Readable or a WebSocket. */
interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/** Sends `message` on `ws`, pausing `source` while `ws` is saturated. Drops it when `ws` is not open. */
export function sendFrom(source: Pausable, ws: WebSocket, message: Buffer, binary = true): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(message, { binary }, () => {
    if (ws.bufferedAmount < HIGH_WATER) source.resume();
  });
  if (ws.bufferedAmount >= HIGH_WATER) source.pause();
}

/** Closes `ws` with `code` when that code may be sent on the wire, else drops the connection. */
export function closeWith(ws: WebSocket, code: number, reason?: Buffer): void {
  if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return;
  // 1005 (no code), 1006 (abnormal) and 1015 (TLS) only describe a close; they are never sent.
  const sendable = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code < 5000);
  if (sendable) ws.close(code, reason);
  else ws.terminate();
}

/** Relays every message both ways, as it came (binary or text), and mirrors the close of either side. */
export function pipeWebSockets(a: WebSocket, b: WebSocket): void {
  const relay = (from: WebSocket, to: WebSocket) => {
    from.on('message', (data: Buffer, isBinary: boolean) => sendFrom(from, to, data, isBinary));
    from.on('close', (code: number, reason: Buffer) => closeWith(to, code, reason));
    // Failures show as 'close'.
    from.on('error', () => undefined);
  };
  relay(a, b);
  relay(b, a);
}
