import { describe, expect, it } from 'vitest';
import { CronSyntaxError, parseCronSpec, type CronField } from './cron.js';

const fields = (spec: string) => {
  const parsed = parseCronSpec(spec);
  if (!('fields' in parsed)) throw new Error(`${spec} is no field schedule`);
  return parsed.fields;
};
const show = (f: CronField) => `${[...f.values].sort((a, b) => a - b).join(',')}${f.star ? '*' : ''}`;

describe('parseCronSpec fields', () => {
  it.each([
    { spec: '0 3 * * *', want: ['0', '3', `${range(1, 31)}*`, `${range(1, 12)}*`, `${range(0, 6)}*`] },
    { spec: '*/20 0-2 1,15 jan-mar MON', want: ['0,20,40', '0,1,2', '1,15', '1,2,3', '1'] },
    { spec: '5/20 * ? * *', want: ['5,25,45', `${range(0, 23)}*`, `${range(1, 31)}*`, `${range(1, 12)}*`, `${range(0, 6)}*`] },
    { spec: '*/1 * * * 1-5/2', want: [`${range(0, 59)}*`, `${range(0, 23)}*`, `${range(1, 31)}*`, `${range(1, 12)}*`, '1,3,5'] },
    { spec: '+5 * * * *', want: ['5', `${range(0, 23)}*`, `${range(1, 31)}*`, `${range(1, 12)}*`, `${range(0, 6)}*`] },
    { spec: '@weekly', want: ['0', '0', `${range(1, 31)}*`, `${range(1, 12)}*`, '0'] },
    { spec: '@yearly', want: ['0', '0', '1', '1', `${range(0, 6)}*`] },
  ])('$spec', ({ spec, want }) => {
    expect(fields(spec).map(show)).toEqual(want);
  });

  it('takes the zone of a TZ= prefix', () => {
    expect(parseCronSpec('TZ=Asia/Tokyo 0 9 * * *').zone).toBe('Asia/Tokyo');
    expect(parseCronSpec('CRON_TZ=UTC @hourly').zone).toBe('UTC');
    expect(parseCronSpec('0 9 * * *').zone).toBeUndefined();
  });

  it('parses @every as Go durations', () => {
    expect(parseCronSpec('@every 1h30m')).toEqual({ everyMs: 5_400_000 });
    expect(parseCronSpec('@every 0')).toEqual({ everyMs: 0 });
  });

  it.each([
    { spec: '', err: 'empty spec string' },
    { spec: '* * * *', err: 'expected exactly 5 fields, found 4: [* * * *]' },
    { spec: '1-2-3 * * * *', err: 'too many hyphens: 1-2-3' },
    { spec: '*/2/3 * * * *', err: 'too many slashes: */2/3' },
    { spec: 'x * * * *', err: 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax' },
    { spec: '-1 * * * *', err: 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax' },
    { spec: '@every soon', err: 'failed to parse duration @every soon: time: invalid duration "soon"' },
    { spec: 'TZ=Nowhere/Else * * * * *', err: 'provided bad location Nowhere/Else: unknown time zone Nowhere/Else' },
  ])('refuses "$spec"', ({ spec, err }) => {
    expect(() => parseCronSpec(spec)).toThrow(CronSyntaxError);
    expect(() => parseCronSpec(spec)).toThrow(err);
  });
});

function range(from: number, to: number): string {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i).join(',');
}
