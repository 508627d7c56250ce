/**
 * The API server's fastify app: authentication, discovery, OpenAPI, health, metrics and every
 * resource path, with all errors answered as Kubernetes Status objects. `buildApiServer` is the
 * only entry point; the composition root (control-plane/cmd) gives it a store and an authenticator.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { internalError, isStatusError, requestEntityTooLarge, StatusError, unauthorized, type StatusReason } from '../api/status.js';
import { CLUSTER_INFO_PATH } from '../api/cluster-info.js';
import { NODE_CREDENTIAL_REQUESTS_PATH } from '../api/node-credential-request.js';
import type { Store } from '../store/store.js';
import { decodeObjectBody } from './content.js';
import { ANONYMOUS, type UserInfo } from './context.js';
import { aggregatedDiscovery, aggregatedDiscoveryVersion, apiGroupDocument, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { Metrics } from './metrics.js';
import { OpenWatches } from './open-watches.js';
import { openAPIIndex, openAPIDocument } from './openapi.js';
import { issueNodeCredential } from './node-credentials.js';
import { RequestAuthorizer } from './request-authorizer.js';
import { ResourceHandler, type RequestLabels } from './resource-handler.js';
import { ResourceService } from './resource-service.js';
import { PodStreams } from './streams/index.js';
import { serveWatchOverWebSocket } from './watch-websocket.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
}

export interface ApiServerOptions {
  store: Store;
  /** Resolves a bearer token to a user; undefined for an invalid one. */
  authenticate(token: string): Promise<UserInfo | undefined>;
  logger: Logger;
  /** PEM key and certificate; absent only in tests that want plain HTTP. */
  https?: { key: string; cert: string };
  /** host:port clients reach this server at (APIVersions.serverAddressByClientCIDRs). */
  serverAddress: string;
  version: VersionInfo;
  /** Whether the store answers (for /readyz). */
  ready?(): Promise<boolean>;
  /** Bearer token the server presents to node agents (logs, exec, attach, port-forward). */
  agentToken?: string;
}

/** Paths that answer without credentials, as upstream's system:public-info-viewer allows. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz']);

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
};

const DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const DISCOVERY_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Turns any thrown value into a StatusError; unknown errors are 500s (and logged by the caller). */
function toStatusError(err: unknown): StatusError {
  if (isStatusError(err)) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return requestEntityTooLarge(MAX_BODY_BYTES);
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new StatusError(e.statusCode, REASONS[e.statusCode] ?? 'BadRequest', e.message ?? 'bad request');
  }
  return internalError(e?.message ?? String(err));
}

function sendStatus(reply: FastifyReply, status: StatusError): void {
  reply.code(status.code).header('Content-Type', 'application/json').send(JSON.stringify(status.toStatus()));
}

/** The request line and headers may take 1 MiB, as upstream's (Go's) default allows. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Requests the HTTP parser refuses before any route sees them (headers over the limit, malformed
 * HTTP, a client too slow to send them) are answered with a Status too; then the connection closes.
 */
function refuseClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new StatusError(431, 'BadRequest', `the request line and headers exceed ${MAX_HEADER_BYTES} bytes`)
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new StatusError(408, 'Timeout', 'the request was not received in time')
        : new StatusError(400, 'BadRequest', 'malformed HTTP request');
  const body = JSON.stringify(status.toStatus());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

export async function buildApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const log = opts.logger.child({ component: 'apiserver' });
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    https: opts.https ? { key: opts.https.key, cert: opts.https.cert, maxHeaderSize: MAX_HEADER_BYTES } : null,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: refuseClientError,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    return503OnClosing: false,
    forceCloseConnections: true,
    // Malformed URLs (bad %-escapes) and overlong paths, refused before routing: Status objects too.
    frameworkErrors: (err: unknown, _req: FastifyRequest, reply: FastifyReply) => sendStatus(reply, toStatusError(err)),
  } as any) as unknown as FastifyInstance;
  const watches = new OpenWatches();
  const metrics = new Metrics(watches);
  const service = new ResourceService(opts.store);
  const streams = new PodStreams({ store: opts.store, agentToken: opts.agentToken, logger: log });
  const authorizer = new RequestAuthorizer(opts.store);
  const resources = new ResourceHandler(service, opts.store, watches, streams, opts.authenticate, (attrs) => authorizer.review(attrs));

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));

  const users = new WeakMap<FastifyRequest, UserInfo>();
  const labels = new WeakMap<FastifyRequest, RequestLabels>();

  app.addHook('onRequest', async (req) => {
    labels.set(req, { verb: req.method, resource: '' });
    const path = req.url.split('?')[0]!;
    if (PUBLIC_PATHS.has(path)) return;
    const token = bearerToken(req.headers.authorization);
    // Without credentials only cluster-info answers (joining nodes read the CA from it); an invalid token is always a 401.
    const user = token ? await opts.authenticate(token) : req.method === 'GET' && path === CLUSTER_INFO_PATH ? ANONYMOUS : undefined;
    if (!user) throw unauthorized();
    users.set(req, user);
  });

  // Every authenticated request is authorized once its body is read (creates by nodes are decided by the new object's name).
  app.addHook('preHandler', async (req) => {
    const user = users.get(req);
    if (user) await authorizer.check(user, req.method, req.url, () => decodeObjectBody(req.headers['content-type'], req.body as Buffer));
  });

  app.addHook('onResponse', async (req, reply) => {
    const l = labels.get(req);
    if (l) metrics.observeRequest(l.verb, l.resource, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err, req, reply) => {
    const status = toStatusError(err);
    if (status.code >= 500) log.error({ err, method: req.method, url: req.url }, 'request failed');
    if (!reply.sent) sendStatus(reply, status);
  });

  app.setNotFoundHandler((_req, reply) => sendStatus(reply, new StatusError(404, 'NotFound', 'the server could not find the requested resource')));

  const health = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (opts.ready && !(await opts.ready().catch(() => false))) {
      reply.code(503).type('text/plain').send('[-]store failed: the store does not answer\nreadyz check failed');
      return;
    }
    reply.type('text/plain').send('ok');
  };
  app.get('/healthz', health);
  app.get('/livez', async (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', health);

  app.get('/version', async () => ({
    ...opts.version,
    gitCommit: 'tugboat',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  }));

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render()));

  const discovery = (core: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Vary', 'Accept');
    const version = aggregatedDiscoveryVersion(req.headers.accept);
    if (version) {
      reply.header('Content-Type', version === 'v2' ? DISCOVERY_V2 : DISCOVERY_V2BETA1);
      return reply.send(JSON.stringify(aggregatedDiscovery(core, version)));
    }
    return core ? apiVersions(opts.serverAddress) : apiGroupList();
  };
  app.get('/api', discovery(true));
  app.get('/apis', discovery(false));
  app.get('/api/v1', async (_req, reply) => reply.send(apiResourceList('', 'v1')));
  app.get('/apis/:group', async (req) => {
    const doc = apiGroupDocument((req.params as { group: string }).group);
    if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    return doc;
  });
  app.get('/apis/:group/:version', async (req) => {
    const p = req.params as { group: string; version: string };
    const doc = apiResourceList(p.group, p.version);
    if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    return doc;
  });

  app.get('/openapi/v3', async () => openAPIIndex());
  app.get('/openapi/v3/*', async (req, reply) => {
    const gv = (req.params as { '*': string })['*'];
    const doc = openAPIDocument(gv);
    if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    reply.header('Content-Type', 'application/json').header('Cache-Control', 'public, immutable');
    return reply.send(doc);
  });

  const handleResource = async (req: FastifyRequest, reply: FastifyReply) => {
    await resources.handle(req, reply, users.get(req)!, labels.get(req)!);
  };
  for (const prefix of ['/api/*', '/apis/*']) app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: prefix, handler: handleResource });
  app.post(NODE_CREDENTIAL_REQUESTS_PATH, async (req, reply) => {
    const requester = users.get(req)!;
    const answer = await issueNodeCredential(opts.store, decodeObjectBody(req.headers['content-type'], req.body as Buffer), requester, new Date());
    log.info({ node: answer.spec.nodeName, requester: requester.name }, 'node credential issued');
    reply.code(201).header('Content-Type', 'application/json').send(JSON.stringify(answer));
  });

  // WebSocket watches (clients that prefer them over chunked HTTP).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      try {
        const token = bearerToken(req.headers.authorization) ?? tokenFromProtocols(req.headers['sec-websocket-protocol']);
        const user = token ? await opts.authenticate(token) : undefined;
        if (!user) throw unauthorized();
        await authorizer.check(user, req.method ?? 'GET', req.url ?? '/');
        if (!(await streams.upgrade(req, socket, head))) await serveWatchOverWebSocket(wss, req, socket, head, service, watches);
      } catch (err) {
        const status = toStatusError(err);
        if (status.code >= 500) log.error({ err, url: req.url }, 'websocket request failed');
        const body = JSON.stringify(status.toStatus());
        socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    })();
  });
  // Open watches would hold their connections (and close()) forever: end them first.
  app.addHook('preClose', async () => {
    watches.stopAll();
    for (const client of wss.clients) client.terminate();
    wss.close();
    streams.close();
  });

  return app;
}

/** Browsers cannot set headers on WebSockets; upstream accepts `base64url.bearer.authorization.k8s.io.<token>` as a subprotocol. */
function tokenFromProtocols(header: string | string[] | undefined): string | undefined {
  const protocols = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((p) => p.trim());
  const prefix = 'base64url.bearer.authorization.k8s.io.';
  const p = protocols.find((x) => x.startsWith(prefix));
  return p ? Buffer.from(p.slice(prefix.length), 'base64url').toString('utf8') : undefined;
}
