import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { replicaSet } from './fixtures.js';
import { recreateStep } from './recreate.js';

const pod = (phase: string, terminating = false): Pod => ({ metadata: { name: 'p', ...(terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) }, status: { phase } });

describe('recreateStep', () => {
  it.each([
    ['old ReplicaSets still asked for pods: scale them to 0', [replicaSet('old', { replicas: 3 })], [], { kind: 'scale-down-old', sizes: ['old=0'] }],
    ['old ReplicaSet status still counts pods: wait', [replicaSet('old', { replicas: 0, actual: 2 })], [], { kind: 'wait-for-old-pods' }],
    ['a terminating old pod: wait', [replicaSet('old', { replicas: 0 })], [pod('Running', true)], { kind: 'wait-for-old-pods' }],
    ['only finished old pods: roll out', [replicaSet('old', { replicas: 0 })], [pod('Failed'), pod('Succeeded')], { kind: 'roll-out' }],
    ['no old pods: roll out', [replicaSet('old', { replicas: 0 })], [], { kind: 'roll-out' }],
    ['no old ReplicaSets: roll out', [], [], { kind: 'roll-out' }],
  ] as [string, ReplicaSet[], Pod[], { kind: string; sizes?: string[] }][])('%s', (_name, oldRSs, oldPods, expected) => {
    const podsByRs = new Map(oldRSs.map((rs) => [rs.metadata!.uid!, oldPods]));
    const step = recreateStep(undefined, oldRSs, podsByRs);
    expect(step.kind).toBe(expected.kind);
    if (step.kind === 'scale-down-old') expect(step.actions.map((a) => `${a.rs.metadata!.name}=${a.replicas}`)).toEqual(expected.sizes);
  });

  it("ignores the new ReplicaSet's own pods", () => {
    const newRS = replicaSet('new', { replicas: 0 });
    const step = recreateStep(newRS, [], new Map([[newRS.metadata!.uid!, [pod('Running')]]]));
    expect(step.kind).toBe('roll-out');
  });
});
