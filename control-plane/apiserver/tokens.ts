/**
 * Bearer tokens: `<id>.<secret>` (6 + 32 characters, like kubeadm's bootstrap tokens). Each token
 * is a Secret `tug-token-<id>` in kube-system of type tugboat.dev/token that holds only the
 * SHA-256 of the secret part, the user, groups and an optional expiry, so a leaked store does not
 * leak credentials. The authenticator looks tokens up in the store and caches answers briefly.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { StatusError } from '../api/status.js';
import type { KObject, Store } from '../store/store.js';
import type { UserInfo } from './context.js';
import { rfc3339 } from './object-meta.js';

export const TOKEN_SECRET_TYPE = 'tugboat.dev/token';
const TOKEN_NAMESPACE = 'kube-system';
const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{32})$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : '');

export interface TokenSpec {
  user: string;
  groups: string[];
  /** Seconds until the token stops working; absent: never. */
  ttlSeconds?: number;
  description?: string;
}

/** Creates a token and stores its hash; returns the token, which is never stored or logged. */
export async function createToken(store: Store, spec: TokenSpec, now = new Date()): Promise<string> {
  const id = randomString(6);
  const secret = randomString(32);
  const data: Record<string, string> = {
    'token-hash': b64(sha256(secret)),
    user: b64(spec.user),
    groups: b64(spec.groups.join(',')),
  };
  if (spec.ttlSeconds !== undefined) data.expiration = b64(rfc3339(new Date(now.getTime() + spec.ttlSeconds * 1000)));
  if (spec.description) data.description = b64(spec.description);
  const obj: KObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `tug-token-${id}`, namespace: TOKEN_NAMESPACE, uid: randomUUID(), creationTimestamp: rfc3339(now) },
    type: TOKEN_SECRET_TYPE,
    data,
  };
  await store.create({ resource: 'core/secrets', namespace: TOKEN_NAMESPACE, name: obj.metadata.name! }, obj);
  return `${id}.${secret}`;
}

/** Whether `token` names a stored, unexpired token (used to reuse a kubeconfig's token across restarts). */
export async function tokenIsValid(store: Store, token: string): Promise<boolean> {
  return (await new TokenAuthenticator(store, 0).authenticate(token)) !== undefined;
}

/** Resolves bearer tokens to users. Positive answers are cached for `cacheMs`. */
export class TokenAuthenticator {
  private readonly cache = new Map<string, { user: UserInfo; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly cacheMs = 10_000,
  ) {}

  /** The user a token belongs to, or undefined for an unknown, malformed or expired token. Never throws for bad tokens. */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    const match = TOKEN_PATTERN.exec(token);
    if (!match) return undefined;
    const cacheKey = sha256(token);
    const cached = this.cache.get(cacheKey);
    const now = Date.now();
    if (cached && cached.until > now) return cached.user;
    let secret: any;
    try {
      secret = await this.store.get({ resource: 'core/secrets', namespace: TOKEN_NAMESPACE, name: `tug-token-${match[1]}` });
    } catch (err) {
      if ((err as StatusError).code === 404) return undefined;
      throw err;
    }
    if (secret.type !== TOKEN_SECRET_TYPE) return undefined;
    const stored = Buffer.from(unb64(secret.data?.['token-hash']), 'utf8');
    const given = Buffer.from(sha256(match[2]!), 'utf8');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
    const expiration = unb64(secret.data?.expiration);
    if (expiration && Date.parse(expiration) <= now) return undefined;
    const groups = unb64(secret.data?.groups).split(',').filter(Boolean);
    if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
    const user: UserInfo = { name: unb64(secret.data?.user), uid: secret.metadata.uid, groups };
    if (this.cacheMs > 0) this.cache.set(cacheKey, { user, until: now + this.cacheMs });
    return user;
  }
}
