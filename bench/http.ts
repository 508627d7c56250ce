/**
 * The benchmark's HTTPS client: keep-alive, bearer token, the server CA pinned. Unlike ApiClient it
 * hands back raw bytes (sizes are reported, bodies are only parsed when needed, so client CPU stays
 * low) and stamps watch lines with the time their chunk arrived. Watches get their own unbounded
 * agent so that long-lived streams never take sockets from the request pool.
 */
import https from 'node:https';
import { performance } from 'node:perf_hooks';

export interface RawResponse {
  status: number;
  body: Buffer;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  accept?: string;
}

/**
 * A running watch: `ready` settles once the server sent 200 headers (a server may hold them back
 * until the first event).
 */
export interface WatchHandle {
  ready: Promise<void>;
  stop(): void;
}

export class BenchClient {
  private readonly agent: https.Agent;
  private readonly watchAgent: https.Agent;
  private readonly base: URL;

  constructor(
    server: string,
    private readonly token: string,
    caCertPem: string,
    maxSockets: number,
  ) {
    this.base = new URL(server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: caCertPem });
    this.watchAgent = new https.Agent({ keepAlive: false, ca: caCertPem });
  }

  private open(method: string, path: string, agent: https.Agent, opts: RequestOptions) {
    return https.request(new URL(path, this.base), {
      method,
      agent,
      headers: {
        Authorization: `Bearer ${this.token}`,
        Accept: opts.accept ?? 'application/json',
        'User-Agent': 'tugboat-bench',
        ...(opts.body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(opts.body) } : {}),
      },
    });
  }

  /** One request; resolves with the status and the whole body for any HTTP status. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, this.agent, opts);
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.end(opts.body);
    });
  }

  /** request() that rejects unless the status is 2xx, with the start of the body in the message. */
  async ok(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const res = await this.request(method, path, opts);
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.toString('utf8', 0, 300)}`);
    return res;
  }

  /**
   * Opens a watch (`path` carries watch=1) and calls `onLine` with every complete line and the
   * performance.now() time its last chunk arrived. Runs until stop() or the server ends it.
   */
  watch(path: string, onLine: (line: string, at: number) => void): WatchHandle {
    const req = this.open('GET', path, this.watchAgent, {});
    const ready = new Promise<void>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        resolve();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            onLine(buffer.slice(0, nl), at);
            buffer = buffer.slice(nl + 1);
          }
        });
        res.on('error', () => undefined);
      });
    });
    // Callers may await `ready` only later: a failure before then must not count as unhandled.
    ready.catch(() => undefined);
    req.end();
    return {
      ready,
      stop: () => {
        req.removeAllListeners('error');
        req.on('error', () => undefined);
        req.destroy();
      },
    };
  }

  /** Ends kept-alive connections; running watches are not affected. */
  close(): void {
    this.agent.destroy();
  }
}
