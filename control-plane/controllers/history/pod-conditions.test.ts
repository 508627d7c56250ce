import { describe, expect, it } from 'vitest';
import { isPodAvailable, isRunningAndReady, msUntilAvailable } from './pod-conditions.js';

const now = Date.parse('2024-01-01T00:01:00Z');
const pod = (phase: string, ready: string | undefined, since = '2024-01-01T00:00:30Z') => ({
  status: { phase, conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready, lastTransitionTime: since }] },
});

describe('pod readiness', () => {
  it.each([
    ['Running and Ready', pod('Running', 'True'), true],
    ['Running, not Ready', pod('Running', 'False'), false],
    ['Pending with a Ready condition', pod('Pending', 'True'), false],
    ['no conditions', pod('Running', undefined), false],
  ])('%s: running and ready %s', (_what, p, expected) => {
    expect(isRunningAndReady(p)).toBe(expected);
  });

  it.each([
    ['Ready 30 s, minReadySeconds 0', pod('Running', 'True'), 0, 0],
    ['Ready 30 s, minReadySeconds 10', pod('Running', 'True'), 10, 0],
    ['Ready 30 s, minReadySeconds 40', pod('Running', 'True'), 40, 10_000],
    ['not Ready', pod('Running', 'False'), 0, undefined],
  ])('%s: available in %s ms', (_what, p, minReady, expected) => {
    expect(msUntilAvailable(p, minReady, now)).toBe(expected);
    expect(isPodAvailable(p, minReady, now)).toBe(expected === 0);
  });
});
