/**
 * GET /containerLogs/{namespace}/{pod}/{container}: a container's log as text/plain, streamed
 * (chunked) until the container ends or the client leaves when following. Query as upstream's
 * kubelet: follow, previous, tailLines, sinceSeconds, sinceTime (RFC 3339), timestamps, limitBytes.
 */
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ContainerRuntime, LogOptions } from '../runtime/runtime.js';
import { HttpError } from './http-error.js';
import { boolQuery, intQuery } from './query.js';
import { streamContainer, type StreamTargets } from './targets.js';

export interface LogRequest {
  previous: boolean;
  options: LogOptions;
}

/** Reads the log query; `now` anchors sinceSeconds. */
export function parseLogQuery(q: URLSearchParams, now: Date): LogRequest {
  const sinceSeconds = intQuery(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined) throw new HttpError(400, 'at most one of sinceTime or sinceSeconds may be specified');
  let since: Date | undefined;
  if (sinceSeconds !== undefined) since = new Date(now.getTime() - sinceSeconds * 1000);
  if (sinceTime !== undefined) {
    since = new Date(sinceTime);
    if (!/^\d{4}-\d\d-\d\dT/.test(sinceTime) || Number.isNaN(since.getTime())) throw new HttpError(400, `invalid value for query parameter sinceTime: "${sinceTime}" (expected an RFC 3339 time)`);
  }
  return {
    previous: boolQuery(q, 'previous'),
    options: {
      follow: boolQuery(q, 'follow'),
      tail: intQuery(q, 'tailLines', 0),
      since,
      timestamps: boolQuery(q, 'timestamps'),
      limitBytes: intQuery(q, 'limitBytes', 1),
    },
  };
}

/** Streams the log into `res`; throws HttpError (or target/runtime errors) before anything was sent. */
export async function serveLogs(
  res: ServerResponse,
  target: { namespace: string; pod: string; container: string },
  q: URLSearchParams,
  deps: { runtime: ContainerRuntime; targets: StreamTargets },
): Promise<void> {
  const { previous, options } = parseLogQuery(q, new Date());
  const log = await deps.runtime.logs(await streamContainer(deps.targets, target, previous), options);
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  // Headers out at once: a follower sees the answer before the first line.
  res.flushHeaders();
  await pipeline(log, res).catch(() => undefined);
}
