import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { calculateReplicaSetStatus, REPLICA_FAILURE, replicaSetStatusChanged } from './replicaset-status.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function rs(minReadySeconds = 0, status: ReplicaSet['status'] = { replicas: 0 }): ReplicaSet {
  return {
    metadata: { name: 'web-1', generation: 2 },
    spec: { replicas: 3, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } },
    status,
  };
}

function pod(labels: Record<string, string>, readyFor?: number): Pod {
  return {
    metadata: { labels },
    status: { conditions: [{ type: 'Ready', status: readyFor === undefined ? 'False' : 'True', lastTransitionTime: ago(readyFor ?? 0) }] },
  };
}

describe('calculateReplicaSetStatus', () => {
  it.each([
    ['counts labelled, ready and available pods', 0, [pod({ app: 'web', tier: 'fe' }, 1), pod({ app: 'web' }, 1), pod({ app: 'web', tier: 'fe' })], { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2 }],
    ['minReadySeconds holds back availability', 10, [pod({ app: 'web', tier: 'fe' }, 5), pod({ app: 'web', tier: 'fe' }, 20)], { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 }],
    ['no pods', 0, [], { replicas: 0 }],
  ])('%s', (_name, minReady, pods, expected) => {
    expect(calculateReplicaSetStatus(rs(minReady), pods, undefined, NOW)).toEqual(expected);
  });

  it('adds ReplicaFailure while creating fails and removes it once it works', () => {
    const failing = calculateReplicaSetStatus(rs(), [], new Error('pods "web-1-x" is forbidden: exceeded quota'), NOW);
    expect(failing.conditions).toEqual([{ type: REPLICA_FAILURE, status: 'True', reason: 'FailedCreate', message: 'pods "web-1-x" is forbidden: exceeded quota', lastTransitionTime: ago(0) }]);
    expect(calculateReplicaSetStatus(rs(0, failing), [], new Error('again'), NOW + 5000).conditions).toEqual(failing.conditions);
    expect(calculateReplicaSetStatus(rs(0, failing), [], undefined, NOW).conditions).toBeUndefined();
  });

  it('notices a new generation even when the counts agree', () => {
    const status = { replicas: 1, observedGeneration: 1 };
    expect(replicaSetStatusChanged(rs(0, status), { replicas: 1 })).toBe(true);
    expect(replicaSetStatusChanged(rs(0, { ...status, observedGeneration: 2 }), { replicas: 1 })).toBe(false);
  });
});
