/**
 * The API server's connections to node agents: HTTPS requests and WebSockets with the API
 * server's agent credential (a bearer token). The agent's certificate is not verified, as
 * upstream's default. Refusals become Status errors as upstream's proxy reports them: the agent's
 * 400 → BadRequest and 404 → NotFound with its text, anything else (and an agent that cannot be
 * reached) → InternalError.
 */
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { internalError, StatusError } from '../../api/status.js';
import type { AgentEndpoint } from './locate.js';

/** An agent's error text longer than this is cut. */
const MAX_ERROR_BYTES = 50_000;
/** Messages between the API server and agents may take this much. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** An agent that has not answered by then (connected, and sent its response head) is given up on. */
const ANSWER_TIMEOUT_MS = 30_000;

/** Reads an error answer's text (up to MAX_ERROR_BYTES). */
function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_ERROR_BYTES) chunks.push(c);
      size += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BYTES).toString('utf8').trim()));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8').trim()));
  });
}

export function agentError(code: number, text: string): StatusError {
  if (code === 400) return new StatusError(400, 'BadRequest', text);
  if (code === 404) return new StatusError(404, 'NotFound', text);
  return internalError(`the node agent answered ${code}: ${text}`);
}

export class AgentDialer {
  constructor(private readonly token: string | undefined) {}

  private url(scheme: 'https' | 'wss', endpoint: AgentEndpoint, path: string, query: URLSearchParams): string {
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    const search = query.toString();
    return `${scheme}://${host}:${endpoint.port}${path}${search ? `?${search}` : ''}`;
  }

  private headers(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  /** GET on the agent; resolves with a 2xx answer (body unread), rejects with a StatusError otherwise. */
  get(endpoint: AgentEndpoint, path: string, query: URLSearchParams): Promise<IncomingMessage> {
    const url = this.url('https', endpoint, path, query);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`)), ANSWER_TIMEOUT_MS);
      const req = https.get(url, { headers: this.headers(), rejectUnauthorized: false }, (res) => {
        clearTimeout(timer);
        const code = res.statusCode ?? 500;
        if (code >= 200 && code < 300) return resolve(res);
        void readText(res).then((text) => reject(agentError(code, text)));
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(internalError(`Get "${url}": ${err.message}`));
      });
    });
  }

  /**
   * A WebSocket to the agent speaking one of `protocols`; resolves once open, rejects with a
   * StatusError. Later socket errors are swallowed: callers see them as 'close'.
   */
  websocket(endpoint: AgentEndpoint, path: string, query: URLSearchParams, protocols: string[]): Promise<WebSocket> {
    const url = this.url('wss', endpoint, path, query);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { headers: this.headers(), rejectUnauthorized: false, perMessageDeflate: false, maxPayload: MAX_MESSAGE_BYTES, handshakeTimeout: ANSWER_TIMEOUT_MS });
      let settled = false;
      ws.on('error', (err) => {
        if (settled) return;
        settled = true;
        reject(internalError(`Get "${url}": ${err.message}`));
      });
      ws.once('unexpected-response', (_req, res) => {
        settled = true;
        void readText(res).then((text) => {
          reject(agentError(res.statusCode ?? 500, text));
          ws.terminate();
        });
      });
      ws.once('open', () => {
        settled = true;
        resolve(ws);
      });
    });
  }
}
