import { describe, expect, it } from 'vitest';
import { deployment } from './fixtures.js';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './fenceposts.js';

describe('scaledValue', () => {
  it.each([
    [2, 5, true, 2],
    ['25%', 5, true, 2],
    ['25%', 5, false, 1],
    ['25%', 4, true, 1],
    ['25%', 4, false, 1],
    ['33%', 10, true, 4],
    ['33%', 10, false, 3],
    ['100%', 3, false, 3],
    ['0%', 10, true, 0],
    ['10', 10, true, 0],
    ['abc%', 10, true, 0],
    [undefined, 10, true, 0],
  ] as const)('%j of %i (round up %s) is %i', (value, total, up, expected) => {
    expect(scaledValue(value, total, up)).toBe(expected);
  });
});

describe('resolveFenceposts', () => {
  it.each([
    [2, 0, 5, 2, 0],
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    [0, 0, 5, 0, 1],
    ['0%', '10%', 5, 0, 1],
    [undefined, undefined, 4, 0, 1],
  ] as const)('surge %j unavailable %j of %i: %i / %i', (surge, unavailable, desired, s, u) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual({ surge: s, unavailable: u });
  });
});

describe('maxSurge and maxUnavailable of a Deployment', () => {
  it.each([
    ['the article (5, surge 2, unavailable 0)', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), 2, 0],
    ['defaults 25% of 10', deployment({ replicas: 10 }), 3, 2],
    ['unavailable above replicas is capped', deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 10 }), 1, 3],
    ['0 replicas: nothing may be unavailable', deployment({ replicas: 0, maxSurge: 1, maxUnavailable: 1 }), 1, 0],
    ['Recreate has neither', deployment({ replicas: 5, strategy: 'Recreate' }), 0, 0],
  ])('%s', (_name, d, surge, unavailable) => {
    expect(maxSurge(d)).toBe(surge);
    expect(maxUnavailable(d)).toBe(unavailable);
  });
});
