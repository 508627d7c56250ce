import { describe, expect, it } from 'vitest';
import { deleteOptions, intParam } from './query.js';

describe('intParam', () => {
  it.each([
    ['12', 12],
    ['-3', -3],
    ['', undefined],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
  ])('reads %j', (v, expected) => {
    expect(intParam({ limit: v }, 'limit')).toBe(expected);
  });

  it.each([
    ['abc', 'expected an integer'],
    ['1.5', 'expected an integer'],
    ['99999999999999999999', 'value out of range'],
  ])('refuses %j with a 400', (v, why) => {
    expect(() => intParam({ limit: v }, 'limit')).toThrow(`invalid value for query parameter limit: "${v}" (${why})`);
  });
});

describe('deleteOptions', () => {
  it('refuses a body whose values have the wrong JSON type, as upstream decodes it', () => {
    expect(() => deleteOptions({ gracePeriodSeconds: '5' }, {})).toThrow(
      'DeleteOptions in version "v1" cannot be handled as a DeleteOptions: json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64',
    );
    expect(() => deleteOptions({ gracePeriodSeconds: 1e308 }, {})).toThrow(/cannot unmarshal number 1e\+308/);
  });

  it('reads a well-typed body', () => {
    expect(deleteOptions({ gracePeriodSeconds: 5, propagationPolicy: 'Foreground' }, {}).options).toEqual({ gracePeriodSeconds: 5, propagationPolicy: 'Foreground' });
  });
});
