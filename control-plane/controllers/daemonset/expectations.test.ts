import { describe, expect, it } from 'vitest';
import { FailedPodBackoff } from './backoff.js';
import { Expectations } from './expectations.js';

describe('Expectations', () => {
  it('holds a key until the cache shows created pods and deleted pods as deleting or gone', () => {
    let now = 0;
    const e = new Expectations(() => now);
    const cache = new Map<string, any>([['ns/old', { metadata: {} }]]);
    const lookup = (k: string) => cache.get(k);
    expect(e.satisfied('ns/ds', lookup)).toBe(true);
    e.expectCreate('ns/ds', 'ns/new');
    e.expectDelete('ns/ds', 'ns/old');
    expect(e.satisfied('ns/ds', lookup)).toBe(false);
    cache.set('ns/new', { metadata: {} });
    expect(e.satisfied('ns/ds', lookup)).toBe(false);
    cache.set('ns/old', { metadata: { deletionTimestamp: 'now' } });
    expect(e.satisfied('ns/ds', lookup)).toBe(true);
    e.expectCreate('ns/ds', 'ns/never');
    now = 5 * 60_000 + 1;
    expect(e.satisfied('ns/ds', lookup)).toBe(true);
  });
});

describe('FailedPodBackoff', () => {
  it('lets the first deletion through, then doubles the wait', () => {
    let now = 0;
    const b = new FailedPodBackoff(() => now);
    expect(b.next('k')).toBe(0);
    expect(b.next('k')).toBe(1000);
    now = 1000;
    expect(b.next('k')).toBe(0);
    now = 2000;
    expect(b.next('k')).toBe(1000);
    now = 3000;
    expect(b.next('k')).toBe(0);
    expect(b.next('other')).toBe(0);
  });
});
