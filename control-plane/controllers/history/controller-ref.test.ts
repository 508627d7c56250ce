import { describe, expect, it } from 'vitest';
import { claimDecision, controllerRefOf, newControllerRef, type Owner } from './controller-ref.js';

const owner: Owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', uid: 'u1' } };
const ref = (uid: string, controller = true) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid, controller });
const obj = (refs: any[] = [], deleting = false) => ({ metadata: { name: 'p', ownerReferences: refs, ...(deleting ? { deletionTimestamp: 'now' } : {}) } });

describe('claimDecision', () => {
  it.each([
    ['owned and matching: own', obj([ref('u1')]), true, owner, 'own'],
    ['owned, no longer matching: release', obj([ref('u1')]), false, owner, 'release'],
    ['owned, not matching, being deleted: release', obj([ref('u1')], true), false, owner, 'release'],
    ['owned, not matching, owner being deleted: ignore', obj([ref('u1')]), false, { ...owner, metadata: { ...owner.metadata, deletionTimestamp: 'now' } }, 'ignore'],
    ['controlled by another: ignore', obj([ref('u2')]), true, owner, 'ignore'],
    ['orphan matching: adopt', obj(), true, owner, 'adopt'],
    ['orphan with a non-controller owner matching: adopt', obj([ref('u2', false)]), true, owner, 'adopt'],
    ['orphan not matching: ignore', obj(), false, owner, 'ignore'],
    ['orphan being deleted: ignore', obj([], true), true, owner, 'ignore'],
    ['owner being deleted adopts nothing', obj(), true, { ...owner, metadata: { ...owner.metadata, deletionTimestamp: 'now' } }, 'ignore'],
  ])('%s', (_what, o, matches, who, expected) => {
    expect(claimDecision(who, o, matches)).toBe(expected);
  });

  it('builds controller references as upstream', () => {
    expect(newControllerRef(owner)).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true });
    expect(controllerRefOf(obj([ref('u2', false), ref('u1')]))?.uid).toBe('u1');
    expect(controllerRefOf(obj([ref('u2', false)]))).toBeUndefined();
  });
});
