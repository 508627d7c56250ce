import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SliceTracker } from './slice-tracker.js';

const slice = (name: string, rv: string): EndpointSlice => ({ metadata: { name, resourceVersion: rv }, addressType: 'IPv4', endpoints: [] });

describe('SliceTracker', () => {
  it('is stale until the cache shows the written version (or a later one), then forgets', () => {
    const t = new SliceTracker();
    t.written('ns/web', slice('web-a', '20'));
    expect(t.stale('ns/web', [])).toBe(true);
    expect(t.stale('ns/web', [slice('web-a', '19')])).toBe(true);
    expect(t.stale('ns/web', [slice('web-a', '20')])).toBe(false);
    expect(t.stale('ns/web', [])).toBe(false);
  });

  it('a deletion is met once the cache no longer has the slice', () => {
    const t = new SliceTracker();
    t.deleted('ns/web', 'web-a');
    expect(t.stale('ns/web', [slice('web-a', '5')])).toBe(true);
    expect(t.stale('ns/web', [])).toBe(false);
  });

  it('recognises the events of its own writes only', () => {
    const t = new SliceTracker();
    t.written('ns/web', slice('web-a', '20'));
    t.deleted('ns/web', 'web-b');
    expect(t.isOwnWrite('ns/web', slice('web-a', '20'), false)).toBe(true);
    expect(t.isOwnWrite('ns/web', slice('web-a', '21'), false)).toBe(false);
    expect(t.isOwnWrite('ns/web', slice('web-b', '3'), true)).toBe(true);
    expect(t.isOwnWrite('ns/web', slice('web-c', '3'), true)).toBe(false);
    expect(t.isOwnWrite('ns/api', slice('web-a', '20'), false)).toBe(false);
  });

  it('gives up on an expectation after its ttl', () => {
    let now = 0;
    const t = new SliceTracker(1000, () => now);
    t.written('ns/web', slice('web-a', '20'));
    expect(t.stale('ns/web', [])).toBe(true);
    now = 1001;
    expect(t.stale('ns/web', [])).toBe(false);
  });
});
