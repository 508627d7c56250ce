import { describe, expect, it } from 'vitest';
import { QUANTITY_FORMAT_ERROR, canonicalQuantity, formatQuantity, isValidQuantity, milliValue, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each<[string | number, number]>([
    ['100m', 0.1],
    ['8Gi', 8589934592],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2', 2],
    [2, 2],
    [0.5, 0.5],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1.', 1],
    ['1.5Gi', 1610612736],
    ['16Gi', 17179869184],
    ['100Gi', 107374182400],
    ['1Ki', 1024],
    ['1k', 1000],
    ['1M', 1e6],
    ['1Mi', 1048576],
    ['1E', 1e18],
    ['1e-3', 0.001],
    ['250u', 0.00025],
    ['5n', 5e-9],
    ['0.1n', 1e-9], // rounds up to the smallest unit
    ['-1', -1],
    ['+3', 3],
    ['-100m', -0.1],
    ['000', 0],
    ['0', 0],
    ['12e+2', 1200],
  ])('%s → %d', (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });

  it.each(['', 'abc', '1Gb', '1.2.3', '1 Gi', 'Gi', '1iK', '1e', '1m1', '--1'])('rejects %j with upstream text', (input) => {
    expect(() => parseQuantity(input)).toThrowError(Error);
    expect(isValidQuantity(input)).toBe(false);
  });

  it('uses the regular-expression message for malformed text', () => {
    expect(() => parseQuantity('1.2.3')).toThrowError(QUANTITY_FORMAT_ERROR);
    expect(QUANTITY_FORMAT_ERROR).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it("reports a bad suffix as upstream's suffix error", () => {
    expect(() => parseQuantity('1Kii')).toThrowError("unable to parse quantity's suffix");
  });

  it('accepts what upstream accepts', () => {
    expect(isValidQuantity('8Gi')).toBe(true);
    expect(isValidQuantity(4)).toBe(true);
    expect(isValidQuantity(undefined)).toBe(false);
    expect(isValidQuantity({})).toBe(false);
  });
});

describe('milliValue', () => {
  it.each<[string | number, number]>([
    ['100m', 100],
    ['2', 2000],
    ['0.5', 500],
    ['1n', 1], // rounded up
    ['1.0001', 1001],
    ['-1n', -1],
    [4, 4000],
  ])('%s → %d', (input, expected) => {
    expect(milliValue(input)).toBe(expected);
  });
});

describe('formatQuantity', () => {
  it.each<[number, 'BinarySI' | 'DecimalSI', string]>([
    [0.5, 'DecimalSI', '500m'],
    [1073741824, 'BinarySI', '1Gi'],
    [1610612736, 'BinarySI', '1536Mi'],
    [1500, 'BinarySI', '1500'],
    [1000, 'BinarySI', '1k'], // below 1024 binary prints as decimal
    [0.5, 'BinarySI', '500m'],
    [2, 'DecimalSI', '2'],
    [2000, 'DecimalSI', '2k'],
    [1500, 'DecimalSI', '1500'],
    [0, 'DecimalSI', '0'],
    [0.1 + 0.2, 'DecimalSI', '300m'], // float noise does not leak into the text
    [-0.25, 'DecimalSI', '-250m'],
    [1e9, 'DecimalSI', '1G'],
    [8589934592, 'BinarySI', '8Gi'],
  ])('%d as %s → %s', (value, format, expected) => {
    expect(formatQuantity(value, format)).toBe(expected);
  });

  it('round-trips through parseQuantity', () => {
    for (const q of ['8Gi', '100m', '2', '1536Mi', '250u']) {
      const v = parseQuantity(q);
      expect(parseQuantity(formatQuantity(v, q.endsWith('i') ? 'BinarySI' : 'DecimalSI'))).toBe(v);
    }
  });
});

describe('canonicalQuantity', () => {
  it.each<[string | number, string]>([
    ['0.5', '500m'],
    ['1024Mi', '1Gi'],
    ['1000m', '1'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['16Gi', '16Gi'],
    [2, '2'],
    ['0.0001', '100u'],
    ['1200Mi', '1200Mi'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });
});

describe('canonicalQuantity rounded to milli', () => {
  it.each<[string, string]>([
    ['0.0001', '1m'],
    ['100m', '100m'],
    ['1.0001', '1001m'],
    ['8Gi', '8Gi'],
    ['-0.0001', '-1m'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalQuantity(input, true)).toBe(expected);
  });
});
