import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import { AVAILABLE, getCondition, PROGRESSING, REPLICA_FAILURE } from './conditions.js';
import { deployment, replicaSet } from './fixtures.js';
import { pausedStatus, rolloutStatus, stuckRequeueAfterMs } from './progress.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const progressing = (reason: string, status: string, updated: number, transitioned = updated): DeploymentCondition => ({
  type: PROGRESSING,
  status,
  reason,
  message: 'm',
  lastUpdateTime: at(updated),
  lastTransitionTime: at(transitioned),
});

describe('rolloutStatus', () => {
  it('counts replicas from the ReplicaSets and says when the rollout completed', () => {
    const d = deployment({ replicas: 3, status: { conditions: [progressing('ReplicaSetUpdated', 'True', 0)] } });
    const newRS = replicaSet('web-5d78c9', { replicas: 3 });
    const s = rolloutStatus(d, [replicaSet('web-old', { replicas: 0 }), newRS], newRS, T0 + 5000);
    expect(s).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(s.unavailableReplicas).toBeUndefined();
    expect(getCondition(s, PROGRESSING)).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-5d78c9" has successfully progressed.', lastUpdateTime: at(5) });
    expect(getCondition(s, AVAILABLE)).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  });

  it('refreshes lastUpdateTime on progress and keeps lastTransitionTime', () => {
    const status: DeploymentStatus = { replicas: 5, updatedReplicas: 1, conditions: [progressing('NewReplicaSetCreated', 'True', 0)] };
    const d = deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0, status });
    const newRS = replicaSet('web-new', { replicas: 2 });
    const s = rolloutStatus(d, [replicaSet('web-old', { replicas: 5 }), newRS], newRS, T0 + 30_000);
    expect(getCondition(s, PROGRESSING)).toMatchObject({ reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.', lastUpdateTime: at(30), lastTransitionTime: at(0) });
  });

  it.each([
    ['before the deadline nothing changes', 9, 'ReplicaSetUpdated'],
    ['after the deadline the rollout timed out', 11, 'ProgressDeadlineExceeded'],
  ])('without progress: %s', (_name, seconds, reason) => {
    const newRS = replicaSet('web-new', { replicas: 2, ready: 0 });
    const oldRS = replicaSet('web-old', { replicas: 5 });
    const status: DeploymentStatus = { replicas: 7, updatedReplicas: 2, readyReplicas: 5, availableReplicas: 5, conditions: [progressing('ReplicaSetUpdated', 'True', 0)] };
    const d = deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0, progressDeadlineSeconds: 10, status });
    const cond = getCondition(rolloutStatus(d, [oldRS, newRS], newRS, T0 + seconds * 1000), PROGRESSING);
    expect(cond?.reason).toBe(reason);
    if (reason === 'ProgressDeadlineExceeded') {
      expect(cond).toMatchObject({ status: 'False', message: 'ReplicaSet "web-new" has timed out progressing.', lastTransitionTime: at(seconds) });
    }
  });

  it('a completed rollout does not time out later', () => {
    const newRS = replicaSet('web-new', { replicas: 3 });
    const d = deployment({ replicas: 3, progressDeadlineSeconds: 10, status: { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3, observedGeneration: 1, conditions: [progressing('NewReplicaSetAvailable', 'True', 0)] } });
    expect(getCondition(rolloutStatus(d, [newRS], newRS, T0 + 3600_000), PROGRESSING)?.reason).toBe('NewReplicaSetAvailable');
  });

  it('without a progress deadline there is no Progressing condition', () => {
    const d = deployment({ progressDeadlineSeconds: 2147483647, status: { conditions: [progressing('ReplicaSetUpdated', 'True', 0)] } });
    const newRS = replicaSet('web-new', { replicas: 3 });
    expect(getCondition(rolloutStatus(d, [newRS], newRS, T0), PROGRESSING)).toBeUndefined();
  });

  it('reports minimum unavailability and ReplicaSet failures (the new one first)', () => {
    const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 1 });
    const newRS = replicaSet('web-new', { replicas: 4, actual: 1, ready: 1 });
    const oldRS = replicaSet('web-old', { replicas: 0, actual: 1, ready: 1 });
    newRS.status!.conditions = [{ type: REPLICA_FAILURE, status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: at(0) }];
    oldRS.status!.conditions = [{ type: REPLICA_FAILURE, status: 'True', reason: 'FailedDelete', message: 'nope', lastTransitionTime: at(0) }];
    const s = rolloutStatus(d, [oldRS, newRS], newRS, T0);
    expect(getCondition(s, AVAILABLE)).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    expect(getCondition(s, REPLICA_FAILURE)).toMatchObject({ reason: 'FailedCreate', message: 'quota' });
    expect(s.unavailableReplicas).toBe(2);
  });
});

describe('stuckRequeueAfterMs', () => {
  it('is the time left until the deadline', () => {
    const d = deployment({ progressDeadlineSeconds: 10, status: { conditions: [progressing('ReplicaSetUpdated', 'True', 0)] } });
    expect(stuckRequeueAfterMs(d, d.status!, T0 + 4000)).toBe(6000);
  });

  it('is nothing once timed out or without a Progressing condition', () => {
    const timedOut = deployment({ progressDeadlineSeconds: 10, status: { conditions: [progressing('ProgressDeadlineExceeded', 'False', 0)] } });
    expect(stuckRequeueAfterMs(timedOut, timedOut.status!, T0)).toBeUndefined();
    const fresh = deployment({});
    expect(stuckRequeueAfterMs(fresh, {}, T0)).toBeUndefined();
  });
});

describe('pausedStatus', () => {
  it.each([
    ['pausing shows DeploymentPaused', true, progressing('ReplicaSetUpdated', 'True', 0), 'DeploymentPaused', 'Deployment is paused'],
    ['resuming shows DeploymentResumed', false, progressing('DeploymentPaused', 'Unknown', 0), 'DeploymentResumed', 'Deployment is resumed'],
    ['still paused: no change', true, progressing('DeploymentPaused', 'Unknown', 0), undefined, undefined],
    ['a timed-out rollout keeps its condition', true, progressing('ProgressDeadlineExceeded', 'False', 0), undefined, undefined],
  ])('%s', (_name, paused, cond, reason, message) => {
    const s = pausedStatus(deployment({ paused, status: { conditions: [cond] } }), T0 + 1000);
    if (!reason) expect(s).toBeUndefined();
    else expect(getCondition(s, PROGRESSING)).toMatchObject({ status: 'Unknown', reason, message });
  });
});
