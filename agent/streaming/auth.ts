/**
 * Who may use the streaming server: bearer tokens are checked with a TokenReview against the API
 * server (as upstream's kubelet does with webhook authentication), and only members of
 * system:masters are let in (the API server's own credential is one). Positive answers are cached
 * for a minute, keyed by the token's hash.
 */
import { createHash } from 'node:crypto';
import type { ApiClient } from '../../control-plane/client/api-client.js';
import { HttpError } from './http-error.js';

export const STREAMING_GROUP = 'system:masters';
const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
/** Cache entries beyond this many are pruned of expired ones. */
const PRUNE_AT = 1000;

export interface StreamingUser {
  name: string;
  groups: string[];
}

export interface TokenReviewerOptions {
  /** How long an authenticated token is trusted without asking again; default 60 s. */
  ttlMs?: number;
  now?: () => number;
}

export class TokenReviewer {
  private readonly cache = new Map<string, { user: StreamingUser; expires: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<ApiClient, 'request'>,
    opts: TokenReviewerOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The user `token` belongs to, or undefined when the API server does not know it. Rejects when the API server cannot be asked. */
  async review(token: string): Promise<StreamingUser | undefined> {
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) return cached.user;
    const review = await this.client.request('POST', TOKEN_REVIEWS, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    if (review?.status?.authenticated !== true) return undefined;
    const user: StreamingUser = { name: String(review.status.user?.username ?? ''), groups: Array.isArray(review.status.user?.groups) ? review.status.user.groups.map(String) : [] };
    if (this.cache.size >= PRUNE_AT) {
      const now = this.now();
      for (const [k, v] of this.cache) if (v.expires <= now) this.cache.delete(k);
    }
    this.cache.set(key, { user, expires: this.now() + this.ttlMs });
    return user;
  }

  /**
   * Checks a request's Authorization header: 401 without a valid bearer token, 403 for a user
   * outside system:masters, 503 when the API server cannot tell.
   */
  async authorize(authorization: string | undefined): Promise<StreamingUser> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new HttpError(401, 'Unauthorized');
    let user: StreamingUser | undefined;
    try {
      user = await this.review(token);
    } catch (err) {
      throw new HttpError(503, `cannot verify the token with the API server: ${(err as Error).message}`);
    }
    if (!user) throw new HttpError(401, 'Unauthorized');
    if (!user.groups.includes(STREAMING_GROUP)) throw new HttpError(403, `Forbidden (user=${user.name}, verb=get, resource=nodes, subresource=proxy)`);
    return user;
  }
}
