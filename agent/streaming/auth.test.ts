import { describe, expect, it } from 'vitest';
import { TokenReviewer } from './auth.js';

/** A fake API: answers TokenReviews from a table, counting calls; 'down' makes it fail. */
function fakeApi(users: Record<string, { username: string; groups: string[] }>) {
  const api = {
    calls: 0,
    down: false,
    async request(_method: string, _path: string, opts: { body?: any } = {}) {
      api.calls++;
      if (api.down) throw new Error('connect ECONNREFUSED');
      const user = users[opts.body.spec.token];
      return { status: user ? { authenticated: true, user } : { user: {} } };
    },
  };
  return api;
}

describe('TokenReviewer', () => {
  const users = { admin: { username: 'admin', groups: ['system:masters'] }, dev: { username: 'dev', groups: ['devs'] } };

  it.each([
    ['no header', undefined, 401],
    ['another scheme', 'Basic abc', 401],
    ['an unknown token', 'Bearer nope', 401],
    ['a user outside system:masters', 'Bearer dev', 403],
  ])('refuses %s', async (_what, header, code) => {
    await expect(new TokenReviewer(fakeApi(users)).authorize(header)).rejects.toMatchObject({ code });
  });

  it('lets system:masters in and trusts the answer for the ttl only', async () => {
    let now = 0;
    const api = fakeApi(users);
    const reviewer = new TokenReviewer(api, { ttlMs: 1000, now: () => now });
    expect(await reviewer.authorize('Bearer admin')).toEqual({ name: 'admin', groups: ['system:masters'] });
    now = 999;
    await reviewer.authorize('Bearer admin');
    expect(api.calls).toBe(1);
    now = 1000;
    await reviewer.authorize('Bearer admin');
    expect(api.calls).toBe(2);
  });

  it('does not cache refusals, and answers 503 while the API server cannot tell', async () => {
    const api = fakeApi(users);
    const reviewer = new TokenReviewer(api);
    await expect(reviewer.authorize('Bearer nope')).rejects.toMatchObject({ code: 401 });
    await expect(reviewer.authorize('Bearer nope')).rejects.toMatchObject({ code: 401 });
    expect(api.calls).toBe(2);
    api.down = true;
    await expect(reviewer.authorize('Bearer admin')).rejects.toMatchObject({ code: 503, message: expect.stringContaining('ECONNREFUSED') });
  });
});
