/**
 * Bearer tokens: `<id>.<secret>` (6 + 32 characters, like kubeadm's bootstrap tokens). Each token
 * is a Secret `tug-token-<id>` in kube-system of type tugboat.dev/token that holds only the
 * SHA-256 of the secret part, the user, groups and an optional expiry, so a leaked store does not
 * leak credentials. The authenticator looks tokens up in the store and caches answers briefly.
 * The format is shared by the server (its own tokens, node credentials) and `tug token create`,
 * which stores bootstrap tokens through the API.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { StatusError } from '../api/status.js';
import type { KObject, Store } from '../store/store.js';
import { BOOTSTRAP_USER_PREFIX, BOOTSTRAPPERS_GROUP, NODE_USER_PREFIX, NODES_GROUP, type UserInfo } from './context.js';
import { rfc3339 } from './object-meta.js';

export const TOKEN_SECRET_TYPE = 'tugboat.dev/token';
export const TOKEN_NAMESPACE = 'kube-system';
const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{32})$/;
const SECRET_PREFIX = 'tug-token-';
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

/** The name of the Secret that stores token `<id>.…`. */
export const tokenSecretName = (id: string) => `${SECRET_PREFIX}${id}`;

/** The Secret (in kube-system) holding the cluster CA's certificate and private key. */
export const CA_SECRET_NAME = 'tugboat-ca';

/** Whether a Secret holds the control plane's own credentials: the cluster CA or a token. */
export function isCredentialSecret(namespace: string, name: string): boolean {
  return namespace === TOKEN_NAMESPACE && (name === CA_SECRET_NAME || name.startsWith(SECRET_PREFIX));
}

export interface TokenSpec {
  user: string;
  groups: string[];
  /** Seconds until the token stops working; absent: never. */
  ttlSeconds?: number;
  description?: string;
}

/** A bootstrap token's identity (user system:bootstrap:<id>, group system:bootstrappers): it may only obtain a node credential. */
export function bootstrapTokenSpec(id: string, opts: { ttlSeconds?: number; description?: string } = {}): TokenSpec {
  return { user: `${BOOTSTRAP_USER_PREFIX}${id}`, groups: [BOOTSTRAPPERS_GROUP], ...opts };
}

/** A node credential's identity (user system:node:<name>, group system:nodes); it never expires. */
export function nodeTokenSpec(nodeName: string, description = `node agent ${nodeName}`): TokenSpec {
  return { user: `${NODE_USER_PREFIX}${nodeName}`, groups: [NODES_GROUP], description };
}

export interface IssuedToken {
  /** `<id>.<secret>`: handed to its holder once, never stored or logged. */
  token: string;
  /** The Secret to store: the hash of the token's secret part and the identity. */
  secret: KObject;
}

/**
 * A new random token and the Secret that records it. `spec` may depend on the token's id (bootstrap
 * tokens name their user after it). Pure apart from randomness; stores nothing.
 */
export function issueToken(spec: TokenSpec | ((id: string) => TokenSpec), now = new Date()): IssuedToken {
  const id = randomString(6);
  const secret = randomString(32);
  const s = typeof spec === 'function' ? spec(id) : spec;
  const data: Record<string, string> = {
    'token-hash': b64(sha256(secret)),
    user: b64(s.user),
    groups: b64(s.groups.join(',')),
  };
  if (s.ttlSeconds !== undefined) data.expiration = b64(rfc3339(new Date(now.getTime() + s.ttlSeconds * 1000)));
  if (s.description) data.description = b64(s.description);
  return {
    token: `${id}.${secret}`,
    secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name: tokenSecretName(id), namespace: TOKEN_NAMESPACE }, type: TOKEN_SECRET_TYPE, data },
  };
}

/** What a stored token Secret says; undefined for a Secret that is not a token. */
export interface TokenInfo {
  id: string;
  user: string;
  groups: string[];
  /** RFC 3339; absent: never expires. */
  expiration?: string;
  description?: string;
}

export function tokenInfo(secret: any): TokenInfo | undefined {
  const name: unknown = secret?.metadata?.name;
  if (secret?.type !== TOKEN_SECRET_TYPE || typeof name !== 'string' || !name.startsWith(SECRET_PREFIX)) return undefined;
  const expiration = unb64(secret.data?.expiration);
  const description = unb64(secret.data?.description);
  return {
    id: name.slice(SECRET_PREFIX.length),
    user: unb64(secret.data?.user),
    groups: unb64(secret.data?.groups).split(',').filter(Boolean),
    ...(expiration ? { expiration } : {}),
    ...(description ? { description } : {}),
  };
}

/** Creates a token and stores its hash; returns the token, which is never stored or logged. */
export async function createToken(store: Store, spec: TokenSpec | ((id: string) => TokenSpec), now = new Date()): Promise<string> {
  const { token, secret } = issueToken(spec, now);
  secret.metadata = { ...secret.metadata, uid: randomUUID(), creationTimestamp: rfc3339(now) };
  await store.create({ resource: 'core/secrets', namespace: TOKEN_NAMESPACE, name: secret.metadata.name! }, secret);
  return token;
}

/** Whether `token` names a stored, unexpired token (used to reuse a kubeconfig's token across restarts). */
export async function tokenIsValid(store: Store, token: string): Promise<boolean> {
  return (await new TokenAuthenticator(store, 0).authenticate(token)) !== undefined;
}

/** Resolves bearer tokens to users. Positive answers are cached for `cacheMs`, never past the token's expiry. */
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
      secret = await this.store.get({ resource: 'core/secrets', namespace: TOKEN_NAMESPACE, name: tokenSecretName(match[1]!) });
    } catch (err) {
      if ((err as StatusError).code === 404) return undefined;
      throw err;
    }
    const info = tokenInfo(secret);
    if (!info) return undefined;
    const stored = Buffer.from(unb64(secret.data?.['token-hash']), 'utf8');
    const given = Buffer.from(sha256(match[2]!), 'utf8');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
    const expires = info.expiration ? Date.parse(info.expiration) : Infinity;
    if (expires <= now) return undefined;
    const groups = info.groups.includes('system:authenticated') ? info.groups : [...info.groups, 'system:authenticated'];
    const user: UserInfo = { name: info.user, uid: secret.metadata.uid, groups };
    if (this.cacheMs > 0) this.cache.set(cacheKey, { user, until: Math.min(now + this.cacheMs, expires) });
    return user;
  }
}
