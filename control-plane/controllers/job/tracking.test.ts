import { describe, expect, it } from 'vitest';
import { BACKOFF_LIMIT_EXCEEDED, COMPLETIONS_REACHED } from './conditions.js';
import { job, pod } from './fixtures.test-util.js';
import { countRemoved, enactFinished, trackFinishedPods } from './tracking.js';

const now = new Date('2024-01-01T01:00:00Z');
const none = new Set<string>();

describe('trackFinishedPods', () => {
  it('records finished pods as uncounted and releases their finalizers; running pods stay', () => {
    const j = job({ completions: 3 });
    const ok = pod({ uid: 's1', phase: 'Succeeded' });
    const bad = pod({ uid: 'f1', phase: 'Failed' });
    const running = pod({ uid: 'r1' });
    const r = trackFinishedPods(j, { pods: [ok, bad, running], pendingRemovals: none, now });
    expect(r.changed).toBe(true);
    expect(r.removeFinalizer).toEqual([ok, bad]);
    expect(j.status!.uncountedTerminatedPods).toEqual({ succeeded: ['s1'], failed: ['f1'] });
  });

  it('never records a pod twice: neither one already uncounted nor one whose removal is in flight', () => {
    const j = job({}, { uncountedTerminatedPods: { succeeded: ['s1'], failed: [] } });
    const r = trackFinishedPods(j, { pods: [pod({ uid: 's1', phase: 'Succeeded' }), pod({ uid: 'f1', phase: 'Failed' })], pendingRemovals: new Set(['f1']), now });
    expect(j.status!.uncountedTerminatedPods).toEqual({ succeeded: ['s1'], failed: [] });
    expect(r.removeFinalizer.map((p) => p.metadata!.uid)).toEqual(['s1']);
  });

  it('a failing Job counts its remaining (deleted) pods as failed and records FailureTarget first', () => {
    const j = job();
    const r = trackFinishedPods(j, { pods: [pod({ uid: 'd1', deleting: true })], target: BACKOFF_LIMIT_EXCEEDED, pendingRemovals: none, now });
    expect(j.status!.uncountedTerminatedPods!.failed).toEqual(['d1']);
    expect(j.status!.conditions!.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['FailureTarget=True/BackoffLimitExceeded']);
    expect(r.terminal).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
  });

  it('success records SuccessCriteriaMet once and heads for Complete', () => {
    const j = job();
    const first = trackFinishedPods(j, { pods: [], target: COMPLETIONS_REACHED, pendingRemovals: none, now });
    expect(first.changed).toBe(true);
    expect(first.terminal).toMatchObject({ type: 'Complete', reason: 'CompletionsReached' });
    const again = trackFinishedPods(j, { pods: [], target: COMPLETIONS_REACHED, pendingRemovals: none, now });
    expect(again.changed).toBe(false);
    expect(j.status!.conditions).toHaveLength(1);
  });

  it('Indexed Jobs record completedIndexes instead of uids', () => {
    const j = job({ completionMode: 'Indexed', completions: 5 });
    const r = trackFinishedPods(j, { pods: [pod({ phase: 'Succeeded', index: 3 })], pendingRemovals: none, succeededIndexes: new Set([0, 1, 3]), now });
    expect(r.changed).toBe(true);
    expect(j.status).toMatchObject({ completedIndexes: '0-1,3', succeeded: 3, uncountedTerminatedPods: { succeeded: [], failed: [] } });
  });
});

describe('countRemoved', () => {
  it('moves uids whose finalizer is gone into the counters', () => {
    const status = { succeeded: 1, failed: 0, uncountedTerminatedPods: { succeeded: ['a', 'b'], failed: ['c'] } };
    expect(countRemoved(status, new Set(['b']))).toBe(true);
    expect(status).toEqual({ succeeded: 2, failed: 1, uncountedTerminatedPods: { succeeded: ['b'], failed: [] } });
    expect(countRemoved(status, new Set(['b']))).toBe(false);
  });
});

describe('enactFinished', () => {
  it.each([
    { name: 'waits for uncounted pods', uncounted: ['x'], terminating: 0, finished: false },
    { name: 'waits for terminating pods', uncounted: [], terminating: 1, finished: false },
    { name: 'finishes when all are counted', uncounted: [], terminating: 0, finished: true },
  ])('$name', ({ uncounted, terminating, finished }) => {
    const j = job({}, { uncountedTerminatedPods: { succeeded: uncounted, failed: [] } });
    expect(enactFinished(j, { type: 'Complete', reason: 'CompletionsReached', message: 'm' }, terminating, now)).toBe(finished);
    if (finished) expect(j.status).toMatchObject({ completionTime: '2024-01-01T01:00:00Z', conditions: [{ type: 'Complete', status: 'True' }] });
  });
});
