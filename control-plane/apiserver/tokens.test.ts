import { describe, expect, it } from 'vitest';
import { bootstrapTokenSpec, issueToken, isCredentialSecret, nodeTokenSpec, tokenInfo } from './tokens.js';

describe('issueToken and tokenInfo', () => {
  const now = new Date('2026-03-01T10:00:00Z');

  it('stores a bootstrap token hashed, named after its id, with its user, group and expiry', () => {
    const { token, secret } = issueToken((id) => bootstrapTokenSpec(id, { ttlSeconds: 3600, description: 'for node b' }), now);
    const [id, secretPart] = token.split('.');
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{32}$/);
    expect(secret.metadata).toEqual({ name: `tug-token-${id}`, namespace: 'kube-system' });
    expect(JSON.stringify(secret)).not.toContain(secretPart);
    expect(tokenInfo(secret)).toEqual({
      id,
      user: `system:bootstrap:${id}`,
      groups: ['system:bootstrappers'],
      expiration: '2026-03-01T11:00:00Z',
      description: 'for node b',
    });
  });

  it('node credentials never expire', () => {
    const { secret } = issueToken(nodeTokenSpec('a'), now);
    expect(tokenInfo(secret)).toMatchObject({ user: 'system:node:a', groups: ['system:nodes'], description: 'node agent a' });
    expect(tokenInfo(secret)!.expiration).toBeUndefined();
  });

  it('is undefined for Secrets that are not tokens', () => {
    expect(tokenInfo({ type: 'Opaque', metadata: { name: 'tug-token-abcdef' } })).toBeUndefined();
  });
});

describe('isCredentialSecret', () => {
  it.each([
    { namespace: 'kube-system', name: 'tugboat-ca', is: true },
    { namespace: 'kube-system', name: 'tug-token-abc123', is: true },
    { namespace: 'default', name: 'tug-token-abc123', is: false },
    { namespace: 'kube-system', name: 'registry-auth', is: false },
  ])('$namespace/$name: $is', ({ namespace, name, is }) => expect(isCredentialSecret(namespace, name)).toBe(is));
});
