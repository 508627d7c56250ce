import { describe, expect, it } from 'vitest';
import { reviewToken } from './subresources.js';

const authenticate = async (token: string) => (token === 'good' ? { name: 'admin', uid: 'u1', groups: ['system:masters'] } : undefined);
const review = (spec: unknown) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec });

describe('reviewToken', () => {
  it('names the user of a known token', async () => {
    expect(await reviewToken(review({ token: 'good' }), authenticate)).toEqual({
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { token: 'good' },
      status: { authenticated: true, user: { username: 'admin', uid: 'u1', groups: ['system:masters'] } },
    });
  });

  it('answers an unknown token with an empty user, as upstream', async () => {
    expect(await reviewToken(review({ token: 'bad' }), authenticate)).toMatchObject({ status: { user: {} } });
  });

  it.each([[{}], [{ token: '' }]])('refuses a review without a token: %j', async (spec) => {
    await expect(reviewToken(review(spec), authenticate)).rejects.toMatchObject({ code: 400, message: 'token is required for TokenReview in authentication' });
  });

  it('refuses a wrongly typed token as upstream decoding does', async () => {
    await expect(reviewToken(review({ token: 5 }), authenticate)).rejects.toMatchObject({ code: 400 });
  });
});
