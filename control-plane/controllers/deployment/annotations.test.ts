import { describe, expect, it } from 'vitest';
import {
  DESIRED_REPLICAS,
  LAST_APPLIED,
  MAX_REPLICAS,
  maxRevision,
  REVISION,
  REVISION_HISTORY,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
} from './annotations.js';
import { deployment, replicaSet } from './fixtures.js';

const CHANGE_CAUSE = 'kubernetes.io/change-cause';

describe('setNewReplicaSetAnnotations', () => {
  it('gives a ReplicaSet about to be created the revision, the replicas annotations and the copied ones', () => {
    const d = deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0, annotations: { [CHANGE_CAUSE]: 'v1', [LAST_APPLIED]: '{}', [REVISION]: '7', team: 'a' } });
    const rs = replicaSet('web-1');
    expect(setNewReplicaSetAnnotations(d, rs, 1, false)).toBe(true);
    expect(rs.metadata!.annotations).toEqual({ [REVISION]: '1', [DESIRED_REPLICAS]: '5', [MAX_REPLICAS]: '7', [CHANGE_CAUSE]: 'v1', team: 'a' });
  });

  it.each([
    // [case, existing revision, history, new revision, expected revision, expected history]
    ['first revision of an existing ReplicaSet', undefined, undefined, 1, '1', undefined],
    ['rollback to revision 1 when 2 is the latest', '1', undefined, 3, '3', '1'],
    ['second rollback appends', '3', '1', 5, '5', '1,3'],
    ['a higher revision stays', '4', undefined, 3, '4', undefined],
    ['an equal revision stays', '3', undefined, 3, '3', undefined],
    ['a malformed revision is left alone', 'x', undefined, 3, 'x', undefined],
  ])('%s', (_name, revision, history, next, expectedRevision, expectedHistory) => {
    const rs = replicaSet('web-1');
    if (revision !== undefined) rs.metadata!.annotations![REVISION] = revision;
    if (history !== undefined) rs.metadata!.annotations![REVISION_HISTORY] = history;
    setNewReplicaSetAnnotations(deployment(), rs, next, true);
    expect(rs.metadata!.annotations![REVISION]).toBe(expectedRevision);
    expect(rs.metadata!.annotations![REVISION_HISTORY]).toBe(expectedHistory);
  });

  it('keeps revision-history under the length limit, dropping the oldest', () => {
    const rs = replicaSet('web-1', { revision: 40 });
    rs.metadata!.annotations![REVISION_HISTORY] = '10,20,30';
    setNewReplicaSetAnnotations(deployment(), rs, 41, true, 9);
    expect(rs.metadata!.annotations![REVISION_HISTORY]).toBe('20,30,40');
  });

  it('refreshes the change-cause of an existing new ReplicaSet and reports no change when all agree', () => {
    const rs = replicaSet('web-1', { revision: 2 });
    rs.metadata!.annotations![CHANGE_CAUSE] = 'old';
    const d = deployment({ annotations: { [CHANGE_CAUSE]: 'set image v2' } });
    expect(setNewReplicaSetAnnotations(d, rs, 2, true)).toBe(true);
    expect(rs.metadata!.annotations![CHANGE_CAUSE]).toBe('set image v2');
    expect(setNewReplicaSetAnnotations(d, rs, 2, true)).toBe(false);
  });
});

describe('revisions', () => {
  it('maxRevision ignores missing and malformed ones', () => {
    const bad = replicaSet('c');
    bad.metadata!.annotations![REVISION] = 'x';
    expect(maxRevision([replicaSet('a', { revision: 3 }), replicaSet('b'), bad, replicaSet('d', { revision: 11 })])).toBe(11);
    expect(maxRevision([])).toBe(0);
  });

  it('setDeploymentRevision reports a change once', () => {
    const d = deployment();
    expect(setDeploymentRevision(d, '2')).toBe(true);
    expect(setDeploymentRevision(d, '2')).toBe(false);
    expect(d.metadata!.annotations![REVISION]).toBe('2');
  });
});
