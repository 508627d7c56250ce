import { describe, expect, it } from 'vitest';
import { claimIsStale, wantedClaimOwnerRefs } from './retention.js';

const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
const podRef = (n: number) => ({ apiVersion: 'v1', kind: 'Pod', name: `web-${n}`, uid: `pod-${n}` });
const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm' };

const set = (whenDeleted?: string, whenScaled?: string) => ({
  metadata: { name: 'web', uid: 'set-uid' },
  spec: { replicas: 2, ...(whenDeleted ? { persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } } : {}) },
});
const pod = (n: number) => ({ metadata: { name: `web-${n}`, uid: `pod-${n}` } });
const claim = (refs: any[] = []) => ({ metadata: { name: 'data-web-0', ownerReferences: refs } });

describe('wantedClaimOwnerRefs', () => {
  it.each([
    ['no policy, no refs: nothing to do', set(), 0, [], undefined],
    ['Retain/Retain removes the set and pod refs, keeps others', set('Retain', 'Retain'), 3, [setRef, podRef(3), other], [other]],
    ['whenDeleted Delete adds the set as controller', set('Delete', 'Retain'), 0, [], [setRef]],
    ['whenDeleted Delete, already there: nothing to do', set('Delete', 'Retain'), 0, [setRef], undefined],
    ['whenDeleted Delete, scaled down, whenScaled Retain: the set stays owner', set('Delete', 'Retain'), 3, [setRef], undefined],
    ['whenScaled Delete, in range: no pod ref', set('Retain', 'Delete'), 1, [podRef(1)], []],
    ['whenScaled Delete, scaled down: the pod becomes owner', set('Retain', 'Delete'), 3, [], [podRef(3)]],
    ['both Delete, in range: the set', set('Delete', 'Delete'), 1, [], [setRef]],
    ['both Delete, scaled down: the pod instead of the set', set('Delete', 'Delete'), 3, [setRef], [podRef(3)]],
  ])('%s', (_what, s, ordinal, refs, expected) => {
    expect(wantedClaimOwnerRefs(claim(refs), s, pod(ordinal))).toEqual(expected);
  });

  it('leaves a claim another object controls alone', () => {
    const foreign = { ...other, controller: true };
    expect(wantedClaimOwnerRefs(claim([foreign]), set('Delete', 'Delete'), pod(0))).toBeUndefined();
  });
});

describe('claimIsStale', () => {
  it.each([
    ['a plain claim', claim(), false],
    ['a claim the set owns', claim([setRef]), false],
    ['a claim a pod owns', claim([podRef(3)]), true],
    ['a claim being deleted', { metadata: { name: 'c', deletionTimestamp: 'now' } }, true],
  ])('%s: %s', (_what, c, expected) => {
    expect(claimIsStale(c)).toBe(expected);
  });
});
