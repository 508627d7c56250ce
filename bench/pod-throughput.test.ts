import { describe, expect, it } from 'vitest';
import { parseRealSeconds } from './pod-throughput.js';

describe('parseRealSeconds', () => {
  it('reads busybox time output, with or without minutes', () => {
    expect(parseRealSeconds('1073741824\nreal\t0m 1.25s\nuser\t0m 0.10s\nsys\t0m 0.90s\n')).toBe(1.25);
    expect(parseRealSeconds('real\t2m 3.50s\n')).toBe(123.5);
  });
  it('says what it got when there is no real time', () => {
    expect(() => parseRealSeconds('nc: bad address')).toThrow('no "real" time in: nc: bad address');
  });
});
