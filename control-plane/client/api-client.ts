/**
 * A typed HTTP client of the Tugboat/Kubernetes API for the control plane's own components
 * (controllers, scheduler, agent, proxy) and tests: JSON over HTTPS with a bearer token, keep-alive,
 * the server CA pinned. Errors are ApiErrors carrying the server's Status.
 */
import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { apiVersionOf, type ResourceDef } from '../api/registry.js';
import type { Status } from '../api/status.js';

export interface ClientConfig {
  /** https://host:port */
  server: string;
  token: string;
  /** PEM of the CA that signed the server certificate. */
  caCertPem?: string;
  userAgent?: string;
}

/** A failed request: `code` is the HTTP status, `status` the Kubernetes Status the server sent. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: Partial<Status>,
  ) {
    super(status.message ?? `request failed with HTTP ${code}`);
    this.name = 'ApiError';
  }

  get reason(): string | undefined {
    return this.status.reason;
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;
export const isAlreadyExists = (err: unknown) => err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists';

/** The resource a call addresses: anything with the registry's group/version/plural/namespaced. */
export type ResourceType = Pick<ResourceDef, 'group' | 'version' | 'plural' | 'namespaced' | 'kind'>;

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchParams extends Omit<ListParams, 'limit' | 'continue'> {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WatchEventOf<T = any> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A running watch stream; `done` settles when the server or stop() ends it. */
export interface WatchStream {
  stop(): void;
  done: Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

/**
 * The server, token and CA (certificate-authority-data, or a certificate-authority file relative to
 * the kubeconfig) of a kubeconfig file's current context. Throws an Error naming the file and what
 * is missing; only token credentials are supported.
 */
export function readKubeconfig(file: string): ClientConfig {
  let cfg: any;
  try {
    cfg = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${file}: ${(err as Error).message}`);
  }
  const ctx = cfg?.contexts?.find((c: any) => c.name === cfg['current-context'])?.context;
  const cluster = cfg?.clusters?.find((c: any) => c.name === ctx?.cluster)?.cluster;
  const user = cfg?.users?.find((u: any) => u.name === ctx?.user)?.user;
  if (!cluster?.server || !user?.token) throw new Error(`kubeconfig ${file}: the current context needs a server and a token`);
  const caCertPem = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
    : cluster['certificate-authority']
      ? readFileSync(path.resolve(path.dirname(file), cluster['certificate-authority']), 'utf8')
      : undefined;
  return { server: cluster.server, token: user.token, caCertPem };
}

export class ApiClient {
  private readonly agent: https.Agent | http.Agent;
  private readonly base: URL;

  /** No cap on connections: every watch holds one for good, and requests must never queue behind them. */
  constructor(private readonly config: ClientConfig) {
    this.base = new URL(config.server);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxFreeSockets: 32, ca: config.caCertPem, rejectUnauthorized: true })
        : new http.Agent({ keepAlive: true, maxFreeSockets: 32 });
  }

  /** A client for the current context of a kubeconfig file (see readKubeconfig). */
  static fromKubeconfig(file: string, userAgent?: string): ApiClient {
    return new ApiClient({ ...readKubeconfig(file), userAgent });
  }

  /** The URL path of a collection or an object (and subresource). */
  path(type: ResourceType, namespace: string | undefined, name?: string, subresource?: string): string {
    let p = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
    if (type.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${type.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Opens a request; `body` must then be written with req.end(body). Content-Length is always set (Node does not chunk DELETE bodies). */
  private open(method: string, path: string, opts: RequestOptions, body?: Buffer): http.ClientRequest {
    const lib = this.base.protocol === 'https:' ? https : http;
    return lib.request(this.url(path, opts.query), {
      method,
      agent: this.agent,
      headers: {
        Authorization: `Bearer ${this.config.token}`,
        Accept: opts.accept ?? 'application/json',
        'User-Agent': this.config.userAgent ?? 'tugboat-client',
        ...(body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
      },
    });
  }

  /** One request; resolves to the parsed JSON answer, rejects with ApiError for 4xx/5xx. */
  request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const body = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, opts, body);
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any = text;
          if ((res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              body = JSON.parse(text);
            } catch {
              /* keep the text */
            }
          }
          if ((res.statusCode ?? 500) >= 400) {
            reject(new ApiError(res.statusCode ?? 500, typeof body === 'object' ? body : { message: String(body) }));
          } else {
            resolve(body as T);
          }
        });
      });
      req.end(body);
    });
  }

  get<T = any>(type: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return this.request('GET', this.path(type, namespace, name));
  }

  list<T = any>(type: ResourceType, namespace?: string, params: ListParams = {}): Promise<{ metadata: { resourceVersion: string; continue?: string }; items: T[] }> {
    return this.request('GET', this.path(type, namespace), { query: { ...params } });
  }

  create<T = any>(type: ResourceType, namespace: string | undefined, obj: T, query?: RequestOptions['query']): Promise<T> {
    return this.request('POST', this.path(type, namespace), { body: { apiVersion: apiVersionOf(type), kind: type.kind, ...obj }, query });
  }

  update<T = any>(type: ResourceType, namespace: string | undefined, name: string, obj: T, subresource?: string): Promise<T> {
    return this.request('PUT', this.path(type, namespace, name, subresource), { body: obj });
  }

  patch<T = any>(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, opts: { subresource?: string; fieldManager?: string; force?: boolean } = {}): Promise<T> {
    return this.request('PATCH', this.path(type, namespace, name, opts.subresource), {
      body: patch,
      contentType: PATCH_CONTENT_TYPES[patchType],
      query: { fieldManager: opts.fieldManager, force: opts.force },
    });
  }

  delete<T = any>(type: ResourceType, namespace: string | undefined, name: string, options: Record<string, unknown> = {}): Promise<T> {
    return this.request('DELETE', this.path(type, namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options } });
  }

  /**
   * Streams watch events to `onEvent` until the server ends the stream or stop() is called.
   * An ERROR event (e.g. 410 Expired) is delivered like any other; the caller decides to relist.
   */
  watch<T = any>(type: ResourceType, namespace: string | undefined, params: WatchParams, onEvent: (ev: WatchEventOf<T>) => void): WatchStream {
    let req: http.ClientRequest | undefined;
    let stopped = false;
    const done = new Promise<void>((resolve, reject) => {
      req = this.open('GET', this.path(type, namespace), { query: { ...params, watch: 1 } });
      req.on('error', (err) => (stopped ? resolve() : reject(err)));
      req.on('response', (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            let status: Partial<Status> = { message: text };
            try {
              status = JSON.parse(text);
            } catch {
              /* keep the text */
            }
            reject(new ApiError(res.statusCode ?? 500, status));
          });
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) onEvent(JSON.parse(line));
          }
        });
        res.on('end', () => resolve());
        res.on('close', () => resolve());
        res.on('error', (err) => (stopped ? resolve() : reject(err)));
      });
      req.end();
    });
    return {
      stop: () => {
        stopped = true;
        req?.destroy();
      },
      done,
    };
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
