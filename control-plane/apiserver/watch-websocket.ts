/**
 * Watches over WebSocket: a GET of a watch URL with `Upgrade: websocket` gets one text message per
 * event (the same JSON as the chunked stream). A watch that cannot start because its
 * resourceVersion is too old sends one ERROR event and closes, like the HTTP transport.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { findResource } from '../api/registry.js';
import { badRequest, isStatusError, StatusError } from '../api/status.js';
import type { Watch } from '../store/store.js';
import type { OpenWatches } from './open-watches.js';
import { boolParam, intParam, param, type Query } from './query.js';
import { parseResourcePath } from './request-info.js';
import type { ResourceService } from './resource-service.js';
import { eventEncoder, watchTimeoutMs } from './watch-handler.js';

export async function serveWatchOverWebSocket(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  service: ResourceService,
  watches: OpenWatches,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = parseResourcePath(url.pathname);
  const def = path && findResource(path.group, path.version, path.resource);
  if (!path || !def || path.name) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const q: Query = Object.fromEntries(url.searchParams.entries());
  if (!path.watchPrefix && !boolParam(q, 'watch')) throw badRequest('only watch requests can be upgraded to a WebSocket');
  if (!def.verbs.includes('watch')) throw new StatusError(405, 'MethodNotAllowed', `watch is not supported on ${def.plural}`);

  let watch: Watch | undefined;
  let startError: StatusError | undefined;
  try {
    watch = await service.watch(def, {
      namespace: path.namespace,
      labelSelector: param(q, 'labelSelector'),
      fieldSelector: param(q, 'fieldSelector'),
      resourceVersion: param(q, 'resourceVersion'),
      bookmarkIntervalMs: boolParam(q, 'allowWatchBookmarks') ? 30_000 : 0,
    });
  } catch (err) {
    if (!isStatusError(err) || err.code !== 410) throw err;
    startError = err;
  }
  const timeoutMs = watchTimeoutMs(intParam(q, 'timeoutSeconds'));
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (!watch) {
      ws.send(JSON.stringify({ type: 'ERROR', object: startError!.toStatus() }), () => ws.close(1000));
      return;
    }
    const w = watch;
    const untrack = watches.track(w);
    const timer = setTimeout(() => w.stop(), timeoutMs);
    ws.on('close', () => w.stop());
    const encode = eventEncoder({ format: 'json', toTableObject: (o) => o });
    void (async () => {
      try {
        for (;;) {
          const ev = await w.next();
          if (!ev || ws.readyState !== ws.OPEN) break;
          ws.send(encode(ev));
        }
      } finally {
        clearTimeout(timer);
        w.stop();
        untrack();
        if (ws.readyState === ws.OPEN) ws.close(1000);
      }
    })();
  });
}
