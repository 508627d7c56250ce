import { describe, expect, it } from 'vitest';
import { isPodAvailable, isPodReady, isRunningAndReady, msUntilAvailable, podReadySince } from './pod-readiness.js';

const now = Date.parse('2024-01-01T00:01:00Z');
/** `since` null: a Ready condition without lastTransitionTime. */
const pod = (phase: string, ready: string | undefined, since: string | null = '2024-01-01T00:00:30Z') => ({
  status: { phase, conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready, ...(since === null ? {} : { lastTransitionTime: since }) }] },
});

describe('pod readiness', () => {
  it.each([
    ['Running and Ready', pod('Running', 'True'), true, true],
    ['Running, not Ready', pod('Running', 'False'), false, false],
    ['Pending with a Ready condition', pod('Pending', 'True'), true, false],
    ['no conditions', pod('Running', undefined), false, false],
    ['no status', {}, false, false],
  ])('%s: ready %s, running and ready %s', (_what, p, ready, runningAndReady) => {
    expect(isPodReady(p)).toBe(ready);
    expect(isRunningAndReady(p)).toBe(runningAndReady);
  });

  it('reads the first Ready condition, as upstream', () => {
    const p = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Ready', status: 'True' }] } };
    expect(isPodReady(p)).toBe(false);
  });

  it.each([
    ['Ready with a time', pod('Running', 'True'), Date.parse('2024-01-01T00:00:30Z')],
    ['Ready without a time', pod('Running', 'True', null), undefined],
    ['Ready with a malformed time', pod('Running', 'True', 'yesterday'), undefined],
    ['not Ready', pod('Running', 'False'), undefined],
  ])('%s: ready since %s', (_what, p, expected) => {
    expect(podReadySince(p)).toBe(expected);
  });
});

describe('availability', () => {
  it.each([
    ['Ready 30 s, minReadySeconds 0', pod('Running', 'True'), 0, 0, true],
    ['Ready 30 s, minReadySeconds 10', pod('Running', 'True'), 10, 0, true],
    ['Ready 30 s, minReadySeconds 40', pod('Running', 'True'), 40, 10_000, false],
    ['Ready exactly minReadySeconds: not yet available (upstream compares strictly)', pod('Running', 'True'), 30, 0, false],
    ['Ready without a time, minReadySeconds 10', pod('Running', 'True', null), 10, 10_000, false],
    ['Ready without a time, minReadySeconds 0', pod('Running', 'True', null), 0, 0, true],
    ['not Ready', pod('Running', 'False'), 0, undefined, false],
  ])('%s: available in %s ms', (_what, p, minReady, wait, available) => {
    expect(msUntilAvailable(p, minReady, now)).toBe(wait);
    expect(isPodAvailable(p, minReady, now)).toBe(available);
  });
});
