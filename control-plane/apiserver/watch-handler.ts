/**
 * Streams a watch to an HTTP client as chunked JSON, one `{"type","object"}` per line, as upstream
 * does. A watch that cannot start because its resourceVersion is too old answers 200 with a single
 * ERROR event carrying the 410 Status, which makes reflectors (kubectl, client-go) relist.
 * The stream ends at timeoutSeconds (default: a random 30–60 minutes, as upstream), when the client
 * goes away, or when the store ends the watch (slow consumer); clients then resume.
 */
import type { FastifyReply } from 'fastify';
import { isStatusError } from '../api/status.js';
import type { Watch, WatchEvent } from '../store/store.js';
import type { ResponseFormat } from './content.js';
import type { OpenWatches } from './open-watches.js';
import { TABLE_CONTENT_TYPE } from './table.js';

export interface WatchStreamOptions {
  format: ResponseFormat;
  timeoutSeconds?: number;
  /** Turns an event's object into a one-row Table; `first` is true for the first object event. */
  toTableObject(obj: any, first: boolean): unknown;
  watches: OpenWatches;
}

/** The event encoder shared by the HTTP and WebSocket transports. */
export function eventEncoder(opts: Pick<WatchStreamOptions, 'format' | 'toTableObject'>): (ev: WatchEvent) => string {
  let first = true;
  return (ev) => {
    if (opts.format === 'table' && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
      const object = opts.toTableObject(ev.object, first);
      first = false;
      return JSON.stringify({ type: ev.type, object });
    }
    return JSON.stringify(ev);
  };
}

/** The longest delay a timer takes; longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function watchTimeoutMs(timeoutSeconds: number | undefined): number {
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) return Math.min(timeoutSeconds * 1000, MAX_TIMER_MS);
  return (1800 + Math.floor(Math.random() * 1800)) * 1000;
}

export async function serveWatch(reply: FastifyReply, start: () => Promise<Watch>, opts: WatchStreamOptions): Promise<void> {
  let watch: Watch | undefined;
  let startError: unknown;
  try {
    watch = await start();
  } catch (err) {
    if (!isStatusError(err) || err.code !== 410) throw err;
    startError = err;
  }
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'Content-Type': opts.format === 'table' ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  // Headers go out now: a watch on a quiet resource must not look like a hung request.
  raw.flushHeaders();
  if (!watch) {
    const status = isStatusError(startError) ? startError.toStatus() : undefined;
    raw.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
    return;
  }
  const w = watch;
  const untrack = opts.watches.track(w);
  const timer = setTimeout(() => w.stop(), watchTimeoutMs(opts.timeoutSeconds));
  raw.on('close', () => w.stop());
  const encode = eventEncoder(opts);
  try {
    for (;;) {
      const ev = await w.next();
      if (!ev || raw.destroyed) break;
      if (!raw.write(encode(ev) + '\n')) {
        await new Promise<void>((resolve) => {
          const done = () => {
            raw.off('drain', done);
            raw.off('close', done);
            resolve();
          };
          raw.on('drain', done);
          raw.on('close', done);
        });
      }
    }
  } finally {
    clearTimeout(timer);
    w.stop();
    untrack();
    if (!raw.destroyed) raw.end();
  }
}
