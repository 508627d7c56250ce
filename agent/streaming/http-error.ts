/**
 * Refusals of the streaming server: an HTTP status and a plain-text message, as the kubelet
 * answers (the API server turns them into Status objects for kubectl). Also for upgrade requests,
 * whose socket gets a raw HTTP answer.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RuntimeError } from '../runtime/runtime.js';
import { StreamTargetError } from './targets.js';

export class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The HttpError for anything a handler threw: target and runtime errors keep their meaning; the rest is a 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof StreamTargetError) return new HttpError(err.notFound ? 404 : 400, err.message);
  if (err instanceof RuntimeError) return new HttpError(err.code === 'NotFound' ? 404 : err.code === 'InvalidConfig' ? 400 : 500, err.message);
  return new HttpError(500, (err as Error)?.message ?? String(err));
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(err.code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(err.message) });
  res.end(err.message);
}

/** Answers an upgrade request that will not be upgraded, and closes its connection. */
export function refuseUpgrade(socket: Duplex, err: HttpError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const head = `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(err.message)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + err.message, () => socket.destroy());
}
