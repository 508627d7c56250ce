import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './labels.js';
import { claimDecision, controllerRefOf, newControllerRef } from './owner-references.js';

const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', uid: 'u1' } };
const ref = (uid: string, controller = true) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid, controller });
const obj = (refs: any[] = [], deleting = false) => ({ metadata: { name: 'p', ownerReferences: refs, ...(deleting ? { deletionTimestamp: 'now' } : {}) } });
const deleting = (o: typeof owner) => ({ ...o, metadata: { ...o.metadata, deletionTimestamp: 'now' } });

describe('controller references', () => {
  it('builds them as upstream', () => {
    expect(newControllerRef(owner)).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true });
  });

  it('finds the one marked controller', () => {
    expect(controllerRefOf(obj([ref('u2', false), ref('u1')]))?.uid).toBe('u1');
    expect(controllerRefOf(obj([ref('u2', false)]))).toBeUndefined();
    expect(controllerRefOf({})).toBeUndefined();
  });
});

describe('claimDecision', () => {
  it.each([
    ['owned and matching: own', obj([ref('u1')]), true, owner, 'own'],
    ['owned, no longer matching: release', obj([ref('u1')]), false, owner, 'release'],
    ['owned, not matching, being deleted: release', obj([ref('u1')], true), false, owner, 'release'],
    ['owned, not matching, owner being deleted: ignore', obj([ref('u1')]), false, deleting(owner), 'ignore'],
    ['controlled by another: ignore', obj([ref('u2')]), true, owner, 'ignore'],
    ['orphan matching: adopt', obj(), true, owner, 'adopt'],
    ['orphan with a non-controller owner matching: adopt', obj([ref('u2', false)]), true, owner, 'adopt'],
    ['orphan not matching: ignore', obj(), false, owner, 'ignore'],
    ['orphan being deleted: ignore', obj([], true), true, owner, 'ignore'],
    ['owner being deleted adopts nothing', obj(), true, deleting(owner), 'ignore'],
  ])('%s', (_what, o, matches, who, expected) => {
    expect(claimDecision(who, o, matches)).toBe(expected);
  });

  describe('by a selector, in a namespace', () => {
    const rs = { metadata: { uid: 'rs-1', namespace: 'default' } };
    const sel = parseLabelSelector('app=web');
    const rsRef = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller: true }];
    const decide = (o: { metadata: any }, who: { metadata: any } = rs) => claimDecision(who, o, sel.matches(o.metadata.labels));
    it.each([
      ['own and matching: own', { labels: { app: 'web' }, ownerReferences: rsRef('rs-1') }, 'own'],
      ['own but not matching: release', { labels: { app: 'db' }, ownerReferences: rsRef('rs-1') }, 'release'],
      ['someone else’s: ignore', { labels: { app: 'web' }, ownerReferences: rsRef('rs-2') }, 'ignore'],
      ['matching orphan: adopt', { labels: { app: 'web' } }, 'adopt'],
      ['non-matching orphan: ignore', { labels: { app: 'db' } }, 'ignore'],
      ['terminating orphan: ignore', { labels: { app: 'web' }, deletionTimestamp: '2024-01-01T00:00:00Z' }, 'ignore'],
      ['orphan in another namespace: ignore', { labels: { app: 'web' }, namespace: 'other' }, 'ignore'],
    ])('%s', (_name, meta, expected) => {
      expect(decide({ metadata: { namespace: 'default', ...meta } })).toBe(expected);
    });

    it('an owner being deleted neither adopts nor releases', () => {
      const gone = { metadata: { ...rs.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
      expect(decide({ metadata: { namespace: 'default', labels: { app: 'web' } } }, gone)).toBe('ignore');
      expect(decide({ metadata: { namespace: 'default', labels: { app: 'db' }, ownerReferences: rsRef('rs-1') } }, gone)).toBe('ignore');
    });
  });
});
