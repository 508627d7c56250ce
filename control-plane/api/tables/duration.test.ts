import { describe, expect, it } from 'vitest';
import { humanDuration, parseTime, translateTimestampSince } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration', () => {
  it.each([
    [-2 * S, '<invalid>'],
    [-1500, '0s'],
    [-999, '0s'],
    [0, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 2 * S, '3m2s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [47 * H + 59 * M, '47h'],
    [2 * D, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [45 * D, '45d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [733 * D, '2y3d'],
    [8 * 365 * D, '8y'],
    [20 * 365 * D + 40 * D, '20y'],
  ])('%d ms is %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('translateTimestampSince', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it.each([
    [undefined, '<unknown>'],
    [null, '<unknown>'],
    ['', '<unknown>'],
    ['not a time', '<unknown>'],
    ['2024-05-01T11:55:00Z', '5m'],
    ['2024-04-29T09:00:00Z', '2d3h'],
    ['2024-05-01T11:59:59.500000Z', '0s'],
  ])('%s -> %s', (ts, want) => {
    expect(translateTimestampSince(ts, now)).toBe(want);
  });
});

describe('parseTime', () => {
  it('parses RFC 3339 with and without fractions and offsets', () => {
    expect(parseTime('2024-01-01T00:00:00Z')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTime('2024-01-01T00:00:00.123456Z')).toBe(Date.UTC(2024, 0, 1) + 123);
    expect(parseTime('2024-01-01T02:00:00+02:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTime(42)).toBeUndefined();
  });
});
