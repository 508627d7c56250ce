import { describe, expect, it } from 'vitest';
import { parseSchedule } from './schedule.js';
import { rfc3339In } from './zoned-time.js';

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('parseSchedule next (UTC)', () => {
  it.each([
    { spec: '* * * * *', after: '2024-01-01T10:00:00Z', next: '2024-01-01T10:01:00.000Z' },
    { spec: '* * * * *', after: '2024-01-01T10:00:30.500Z', next: '2024-01-01T10:01:00.000Z' },
    { spec: '* * * * *', after: '2024-01-01T09:59:59.500Z', next: '2024-01-01T10:00:00.000Z' },
    { spec: '*/15 * * * *', after: '2024-01-01T10:07:00Z', next: '2024-01-01T10:15:00.000Z' },
    { spec: '5-10/2 * * * *', after: '2024-01-01T10:07:00Z', next: '2024-01-01T10:09:00.000Z' },
    { spec: '30 2 * * *', after: '2024-01-01T03:00:00Z', next: '2024-01-02T02:30:00.000Z' },
    { spec: '0 9 * * mon-fri', after: '2024-01-05T10:00:00Z', next: '2024-01-08T09:00:00.000Z' },
    { spec: '0 0 1,15 * *', after: '2024-01-02T00:00:00Z', next: '2024-01-15T00:00:00.000Z' },
    { spec: '0 0 1 * 1', after: '2024-01-02T00:00:00Z', next: '2024-01-08T00:00:00.000Z' },
    { spec: '0 0 */10 * 1', after: '2024-01-02T00:00:00Z', next: '2024-01-08T00:00:00.000Z' },
    { spec: '0 0 1 * ?', after: '2024-01-02T00:00:00Z', next: '2024-02-01T00:00:00.000Z' },
    { spec: '0 12 * FEB *', after: '2024-03-01T00:00:00Z', next: '2025-02-01T12:00:00.000Z' },
    { spec: '0 0 29 2 *', after: '2024-03-01T00:00:00Z', next: '2028-02-29T00:00:00.000Z' },
    { spec: '0 0 31 2 *', after: '2024-03-01T00:00:00Z', next: undefined },
    { spec: '@hourly', after: '2024-01-01T10:00:00Z', next: '2024-01-01T11:00:00.000Z' },
    { spec: '@daily', after: '2024-01-01T10:00:00Z', next: '2024-01-02T00:00:00.000Z' },
    { spec: '@weekly', after: '2024-01-01T10:00:00Z', next: '2024-01-07T00:00:00.000Z' },
    { spec: '@monthly', after: '2024-01-01T10:00:00Z', next: '2024-02-01T00:00:00.000Z' },
    { spec: '@yearly', after: '2024-01-01T10:00:00Z', next: '2025-01-01T00:00:00.000Z' },
    { spec: '@every 90s', after: '2024-01-01T10:00:00.700Z', next: '2024-01-01T10:01:30.000Z' },
    { spec: '@every 1h30m', after: '2024-01-01T10:00:00Z', next: '2024-01-01T11:30:00.000Z' },
    { spec: '@every 10ms', after: '2024-01-01T10:00:00Z', next: '2024-01-01T10:00:01.000Z' },
  ])('$spec after $after → $next', ({ spec, after, next }) => {
    expect(iso(parseSchedule(spec, 'UTC').next(at(after)))).toBe(next);
  });
});

describe('parseSchedule in a time zone', () => {
  it.each([
    { spec: '0 9 * * *', zone: 'Asia/Tokyo', after: '2024-01-01T00:00:00Z', next: '2024-01-02T00:00:00.000Z' },
    { spec: 'TZ=Asia/Tokyo 0 9 * * *', zone: 'UTC', after: '2024-01-01T00:00:00Z', next: '2024-01-02T00:00:00.000Z' },
    { spec: '0 9 * * *', zone: 'America/New_York', after: '2024-07-01T00:00:00Z', next: '2024-07-01T13:00:00.000Z' },
    { spec: '0 9 * * *', zone: 'America/New_York', after: '2024-12-01T00:00:00Z', next: '2024-12-01T14:00:00.000Z' },
    // 2024-03-10 02:30 does not exist in New York: that day is skipped.
    { spec: '30 2 * * *', zone: 'America/New_York', after: '2024-03-09T12:00:00Z', next: '2024-03-11T06:30:00.000Z' },
  ])('$spec in $zone after $after → $next', ({ spec, zone, after, next }) => {
    expect(iso(parseSchedule(spec, zone).next(at(after)))).toBe(next);
  });
});

describe('parseSchedule refuses what upstream refuses', () => {
  it.each([
    { spec: '', err: 'empty spec string' },
    { spec: '* * * *', err: 'expected exactly 5 fields, found 4: [* * * *]' },
    { spec: '60 * * * *', err: 'end of range (60) above maximum (59): 60' },
    { spec: '* * 0 * *', err: 'beginning of range (0) below minimum (1): 0' },
    { spec: '5-1 * * * *', err: 'beginning of range (5) beyond end of range (1): 5-1' },
    { spec: '*/0 * * * *', err: 'step of range should be a positive number: */0' },
    { spec: '* * * * 7', err: 'end of range (7) above maximum (6): 7' },
    { spec: '@fortnightly', err: 'unrecognized descriptor: @fortnightly' },
    { spec: '@every soon', err: 'failed to parse duration @every soon: time: invalid duration "soon"' },
  ])('"$spec"', ({ spec, err }) => {
    expect(() => parseSchedule(spec, 'UTC')).toThrow(err);
  });
});

describe('rfc3339In', () => {
  it.each([
    { instant: '2024-01-01T00:00:00Z', zone: 'UTC', text: '2024-01-01T00:00:00Z' },
    { instant: '2024-01-01T00:00:00Z', zone: 'Asia/Tokyo', text: '2024-01-01T09:00:00+09:00' },
    { instant: '2024-07-01T12:00:00Z', zone: 'America/New_York', text: '2024-07-01T08:00:00-04:00' },
    { instant: '2024-01-01T00:00:00Z', zone: 'Europe/London', text: '2024-01-01T00:00:00Z' },
  ])('$instant in $zone', ({ instant, zone, text }) => {
    expect(rfc3339In(at(instant), zone)).toBe(text);
  });
});
