import { describe, expect, it } from 'vitest';
import { assessJob, pastBackoffLimitOnFailure } from './assess.js';
import { job, pod } from './fixtures.test-util.js';

const now = new Date('2024-01-01T01:00:00Z');
const none = new Set<string>();

describe('assessJob counts pods', () => {
  it.each([
    { name: 'running pods are active', pods: [pod({ ready: true }), pod()], active: 2, ready: 1, terminating: 0, succeeded: 0, failed: 0 },
    { name: 'a deleted running pod is terminating and a failure', pods: [pod({ deleting: true })], active: 0, ready: 0, terminating: 1, succeeded: 0, failed: 1 },
    { name: 'finished pods with the finalizer are new', pods: [pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' })], active: 0, ready: 0, terminating: 0, succeeded: 1, failed: 1 },
    { name: 'finished pods without the finalizer are already counted', pods: [pod({ phase: 'Succeeded', tracked: false })], active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0 },
  ])('$name', ({ name: _name, pods, ...want }) => {
    const a = assessJob(job(), pods, now, none);
    expect({ active: a.active.length, ready: a.ready, terminating: a.terminating, succeeded: a.succeeded, failed: a.failed }).toEqual(want);
  });

  it('adds status counters and uncounted uids, and never counts a pod twice', () => {
    const counted = pod({ uid: 'u1', phase: 'Succeeded' });
    const inFlight = pod({ uid: 'u2', phase: 'Failed' });
    const fresh = pod({ uid: 'u3', phase: 'Failed' });
    const j = job({}, { succeeded: 2, failed: 1, uncountedTerminatedPods: { succeeded: ['u1'], failed: [] } });
    const a = assessJob(j, [counted, inFlight, fresh], now, new Set(['u2']));
    expect(a.newSucceeded).toEqual([]);
    expect(a.newFailed.map((p) => p.metadata!.uid)).toEqual(['u3']);
    expect(a.succeeded).toBe(3);
    expect(a.failed).toBe(2);
  });

  it('with podReplacementPolicy Failed a terminating pod is not a failure', () => {
    const a = assessJob(job({ podReplacementPolicy: 'Failed' }), [pod({ deleting: true })], now, none);
    expect(a.failed).toBe(0);
    expect(a.terminating).toBe(1);
  });

  it('counts Indexed Jobs by distinct valid succeeded indexes', () => {
    const j = job({ completionMode: 'Indexed', completions: 3 }, { completedIndexes: '0' });
    const pods = [pod({ phase: 'Succeeded', index: 1 }), pod({ phase: 'Succeeded', index: 1 }), pod({ phase: 'Succeeded', index: 7 })];
    const a = assessJob(j, pods, now, none);
    expect([...a.succeededIndexes!].sort()).toEqual([0, 1]);
    expect(a.succeeded).toBe(2);
  });
});

describe('assessJob decides the course', () => {
  it.each([
    { name: 'nothing to decide', spec: {}, status: {}, pods: [pod()], target: undefined },
    { name: 'failures above backoffLimit fail the Job', spec: { backoffLimit: 1 }, status: { failed: 1 }, pods: [pod({ phase: 'Failed' })], target: 'FailureTarget/BackoffLimitExceeded' },
    { name: 'failures up to backoffLimit do not', spec: { backoffLimit: 2 }, status: { failed: 1 }, pods: [pod({ phase: 'Failed' })], target: undefined },
    { name: 'the active deadline passed', spec: { activeDeadlineSeconds: 60 }, status: { startTime: '2024-01-01T00:00:00Z' }, pods: [pod()], target: 'FailureTarget/DeadlineExceeded' },
    { name: 'a recorded SuccessCriteriaMet stays the target', spec: {}, status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'm' }] }, pods: [], target: 'SuccessCriteriaMet/CompletionsReached' },
    { name: 'a recorded FailureTarget leads to Failed', spec: {}, status: { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'm' }] }, pods: [], target: 'Failed/BackoffLimitExceeded' },
  ])('$name', ({ spec, status, pods, target }) => {
    const a = assessJob(job(spec, status as any), pods, now, none);
    expect(a.target ? `${a.target.type}/${a.target.reason}` : undefined).toBe(target);
  });

  it('sets startTime on the first sync, not while suspended, and schedules the deadline check', () => {
    const started = job({ activeDeadlineSeconds: 600 });
    const a = assessJob(started, [], now, none);
    expect(started.status!.startTime).toBe('2024-01-01T01:00:00Z');
    expect(a.deadlineInMs).toBe(600_000);
    const suspended = job({ suspend: true });
    assessJob(suspended, [], now, none);
    expect(suspended.status!.startTime).toBeUndefined();
  });
});

describe('pastBackoffLimitOnFailure', () => {
  it.each([
    { restartPolicy: 'OnFailure', limit: 2, restarts: [1, 1], past: true },
    { restartPolicy: 'OnFailure', limit: 3, restarts: [1, 1], past: false },
    { restartPolicy: 'OnFailure', limit: 0, restarts: [1], past: true },
    { restartPolicy: 'Never', limit: 0, restarts: [5], past: false },
  ])('$restartPolicy, limit $limit, restarts $restarts → $past', ({ restartPolicy, limit, restarts, past }) => {
    const j = job({ backoffLimit: limit });
    j.spec!.template.spec!.restartPolicy = restartPolicy;
    expect(pastBackoffLimitOnFailure(j, restarts.map((r) => pod({ restarts: r })))).toBe(past);
  });
});
