import { describe, expect, it } from 'vitest';
import { job, pod } from './fixtures.test-util.js';
import { planPods, wantActive } from './manage.js';
import { completionIndex } from './pods.js';

const base = { succeeded: 0, terminating: 0, backoffMs: 0 };

describe('wantActive', () => {
  it.each([
    { completions: 5, parallelism: 2, succeeded: 0, active: 0, want: 2 },
    { completions: 5, parallelism: 2, succeeded: 4, active: 1, want: 1 },
    { completions: 5, parallelism: 2, succeeded: 5, active: 0, want: 0 },
    { completions: undefined, parallelism: 3, succeeded: 0, active: 1, want: 3 },
    { completions: undefined, parallelism: 3, succeeded: 1, active: 2, want: 2 },
  ])('completions $completions parallelism $parallelism succeeded $succeeded active $active → $want', ({ completions, parallelism, succeeded, active, want }) => {
    expect(wantActive(job({ completions, parallelism }), active, succeeded)).toBe(want);
  });
});

describe('planPods', () => {
  it.each([
    { name: 'creates up to parallelism', spec: { completions: 5, parallelism: 2 }, active: 0, extra: {}, create: 2, remove: 0 },
    { name: 'never more than the missing completions', spec: { completions: 5, parallelism: 2 }, active: 0, extra: { succeeded: 4 }, create: 1, remove: 0 },
    { name: 'removes pods above parallelism', spec: { completions: 5, parallelism: 1 }, active: 3, extra: {}, create: 0, remove: 2 },
    { name: 'a suspended Job deletes all', spec: { completions: 5, parallelism: 2, suspend: true }, active: 2, extra: {}, create: 0, remove: 2 },
    { name: 'holds creations during backoff', spec: { completions: 5, parallelism: 2 }, active: 0, extra: { backoffMs: 2000 }, create: 0, remove: 0 },
    { name: 'terminating pods block replacements only with policy Failed', spec: { completions: 5, parallelism: 2, podReplacementPolicy: 'Failed' }, active: 0, extra: { terminating: 1 }, create: 1, remove: 0 },
    { name: 'terminating pods are replaced at once by default', spec: { completions: 5, parallelism: 2 }, active: 0, extra: { terminating: 1 }, create: 2, remove: 0 },
  ])('$name', ({ spec, active, extra, create, remove }) => {
    const pods = Array.from({ length: active }, () => pod());
    const plan = planPods(job(spec as any), { ...base, active: pods, pods, ...extra });
    expect(plan.create).toBe(create);
    expect(plan.remove.length).toBe(remove);
    if ((extra as any).backoffMs) expect(plan.waitMs).toBe(2000);
  });

  it('removes the cheapest pods first: unscheduled, then not ready', () => {
    const running = pod({ ready: true, nodeName: 'n1', phase: 'Running' });
    const unready = pod({ nodeName: 'n1', phase: 'Running' });
    const unscheduled = pod({ phase: 'Pending' });
    const plan = planPods(job({ completions: 5, parallelism: 1 }), { ...base, active: [running, unready, unscheduled], pods: [] });
    expect(plan.remove).toEqual([unscheduled, unready]);
  });

  it('Indexed: runs the lowest pending indexes and drops duplicated and out-of-range ones', () => {
    const j = job({ completionMode: 'Indexed', completions: 4, parallelism: 3 });
    const fresh = planPods(j, { ...base, active: [pod({ index: 0 })], pods: [], succeededIndexes: new Set([1]), succeeded: 1 });
    expect(fresh.indexes).toEqual([2, 3]);
    const dup = [pod({ index: 2 }), pod({ index: 2, ready: true }), pod({ index: 9 })];
    const plan = planPods(j, { ...base, active: dup, pods: [] });
    expect(plan.remove.map(completionIndex).sort()).toEqual([2, 9]);
    expect(plan.remove).not.toContain(dup[1]);
  });
});
