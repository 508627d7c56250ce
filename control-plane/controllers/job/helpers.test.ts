import { describe, expect, it } from 'vitest';
import { remainingBackoffMs, updateBackoff, NO_BACKOFF } from './backoff.js';
import { Expectations } from './expectations.js';
import { job, pod } from './fixtures.test-util.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { podForJob, podGenerateName } from './pod-template.js';
import { ttlRemainingMs } from './ttl.js';

describe('completed indexes', () => {
  it.each([
    { indexes: [], text: '' },
    { indexes: [3], text: '3' },
    { indexes: [0, 1, 2, 4, 6, 7], text: '0-2,4,6-7' },
  ])('$indexes ↔ "$text"', ({ indexes, text }) => {
    expect(formatIndexes(indexes)).toBe(text);
    expect([...parseIndexes(text, 100)]).toEqual(indexes);
  });

  it('parsing drops indexes beyond completions and malformed parts', () => {
    expect([...parseIndexes('1,x,3-9', 5)]).toEqual([1, 3, 4]);
  });
});

describe('pod failure backoff', () => {
  const t = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s));
  it.each([
    { name: 'no failures: no wait', failures: 0, last: 0, at: 0, wait: 0 },
    { name: 'first failure waits the base', failures: 1, last: 10, at: 10, wait: 10_000 },
    { name: 'doubles per failure', failures: 3, last: 10, at: 10, wait: 40_000 },
    { name: 'counts from the failure', failures: 1, last: 10, at: 15, wait: 5_000 },
    { name: 'capped', failures: 10, last: 0, at: 0, wait: 60_000 },
  ])('$name', ({ failures, last, at, wait }) => {
    expect(remainingBackoffMs({ failuresAfterLastSuccess: failures, lastFailureTime: t(last).getTime() }, t(at), 10_000, 60_000)).toBe(wait);
  });

  it('failures add up; a later success resets', () => {
    const f1 = pod({ phase: 'Failed', finishedAt: '2024-01-01T00:00:05Z' });
    const f2 = pod({ phase: 'Failed', finishedAt: '2024-01-01T00:00:07Z' });
    const s = pod({ phase: 'Succeeded', finishedAt: '2024-01-01T00:00:09Z' });
    const r = updateBackoff(updateBackoff(NO_BACKOFF, [], [f1], t(20)), [], [f2], t(20));
    expect(r).toEqual({ failuresAfterLastSuccess: 2, lastFailureTime: Date.parse('2024-01-01T00:00:07Z') });
    expect(updateBackoff(r, [s], [], t(20))).toEqual(NO_BACKOFF);
    expect(updateBackoff(NO_BACKOFF, [s], [f1, f2], t(20))).toEqual(NO_BACKOFF);
  });
});

describe('podForJob', () => {
  it('carries the template, the controller reference and the tracking finalizer', () => {
    const p = podForJob(job());
    expect(p.metadata).toMatchObject({
      generateName: 'pi-',
      labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' },
      finalizers: ['batch.kubernetes.io/job-tracking'],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(p.spec!.hostname).toBeUndefined();
  });

  it('Indexed pods carry their index as annotation, label, env and hostname', () => {
    const p = podForJob(job({ completionMode: 'Indexed', completions: 3 }), 2);
    expect(p.metadata).toMatchObject({
      generateName: 'pi-2-',
      annotations: { 'batch.kubernetes.io/job-completion-index': '2' },
      labels: { 'batch.kubernetes.io/job-completion-index': '2' },
    });
    expect(p.spec!.hostname).toBe('pi-2');
    expect(p.spec!.containers[0]!.env).toEqual([
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ]);
  });

  it('keeps generated names within the limit', () => {
    expect(podGenerateName('x'.repeat(70), 12)).toHaveLength(58);
  });
});

describe('ttlRemainingMs', () => {
  const finished = (type: string, at: string) => ({ conditions: [{ type, status: 'True', lastTransitionTime: at }] });
  const now = new Date('2024-01-01T00:01:00Z');
  it.each([
    { name: 'no TTL', ttl: undefined, status: finished('Complete', '2024-01-01T00:00:00Z'), left: undefined },
    { name: 'not finished', ttl: 10, status: {}, left: undefined },
    { name: 'expired', ttl: 10, status: finished('Complete', '2024-01-01T00:00:00Z'), left: -50_000 },
    { name: 'failed jobs too, not yet', ttl: 100, status: finished('Failed', '2024-01-01T00:00:00Z'), left: 40_000 },
  ])('$name', ({ ttl, status, left }) => {
    expect(ttlRemainingMs(job({ ttlSecondsAfterFinished: ttl }, status as any), now)).toBe(left);
  });
});

describe('Expectations', () => {
  it('a Job is managed again only once its creations and deletions are seen, or they expired', () => {
    let t = 0;
    const e = new Expectations(1000, () => t);
    expect(e.satisfied('ns/j')).toBe(true);
    e.expect('ns/j', 2, 1);
    e.creationObserved('ns/j');
    e.deletionObserved('ns/j');
    expect(e.satisfied('ns/j')).toBe(false);
    e.creationObserved('ns/j');
    expect(e.satisfied('ns/j')).toBe(true);
    e.expect('ns/j', 1, 0);
    t = 1001;
    expect(e.satisfied('ns/j')).toBe(true);
  });

  it('tracks pending finalizer removals per pod', () => {
    const e = new Expectations();
    e.expectFinalizerRemovals('ns/j', ['a', 'b']);
    e.finalizerRemovalObserved('ns/j', 'a');
    expect([...e.pendingFinalizerRemovals('ns/j')]).toEqual(['b']);
    e.delete('ns/j');
    expect(e.pendingFinalizerRemovals('ns/j').size).toBe(0);
  });
});
