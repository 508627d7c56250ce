import { describe, expect, it } from 'vitest';
import { Backoff, formatDuration, inBackOffSince, inBackOffSinceUpdate, nextEntry } from './backoff.js';

const config = { initialMs: 10_000, maxMs: 300_000 };

describe('back-off', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [10_000, '10s'],
    [80_000, '1m20s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
  ])('formats %d ms as Go does: %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('starts at the initial delay, doubles to the maximum, and forgets after twice the maximum', () => {
    let entry = nextEntry(undefined, 0, 0, config);
    const delays = [entry.delayMs];
    for (let i = 1; i < 7; i++) {
      entry = nextEntry(entry, i * 1000, i * 1000, config);
      delays.push(entry.delayMs);
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    // An event more than 10 minutes after the last update starts over.
    expect(nextEntry(entry, 6000 + 600_001, 6000 + 600_001, config).delayMs).toBe(10_000);
  });

  it('answers whether a key still waits', () => {
    const entry = { delayMs: 10_000, lastUpdate: 1000 };
    expect(inBackOffSince(undefined, 0, 0, config)).toBe(false);
    expect(inBackOffSince(entry, 5000, 14_999, config)).toBe(true);
    expect(inBackOffSince(entry, 5000, 15_000, config)).toBe(false);
    expect(inBackOffSince(entry, 1000 + 600_001, 1000 + 600_002, config)).toBe(false);
    expect(inBackOffSinceUpdate(entry, 10_999, config)).toBe(true);
    expect(inBackOffSinceUpdate(entry, 11_000, config)).toBe(false);
  });

  it('keeps entries per key and forgets a pod', () => {
    const b = new Backoff(config);
    b.next('uid-1/a', 0, 0);
    b.next('uid-1/a', 1, 1);
    b.next('uid-2/a', 0, 0);
    expect(b.get('uid-1/a')!.delayMs).toBe(20_000);
    b.forgetPrefix('uid-1/');
    expect(b.get('uid-1/a')).toBeUndefined();
    expect(b.get('uid-2/a')!.delayMs).toBe(10_000);
  });
});
