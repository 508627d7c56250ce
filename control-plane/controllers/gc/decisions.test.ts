import { describe, expect, it } from 'vitest';
import { decideDeletingOwner, decideDependent, type ClassifiedRef } from './decisions.js';
import { collectedResources, resolveOwner } from './graph.js';

const ref = (uid: string, state: ClassifiedRef['state']): ClassifiedRef => ({ uid, state });

describe('decideDependent', () => {
  it.each([
    { name: 'no owners: never collected', refs: [], deps: false, fin: [], want: { kind: 'none' } },
    { name: 'a live owner keeps it', refs: [ref('a', 'solid')], deps: false, fin: [], want: { kind: 'none' } },
    { name: 'owner gone: background delete', refs: [ref('a', 'dangling')], deps: false, fin: [], want: { kind: 'delete', policy: 'Background' } },
    { name: 'owner gone, own orphan finalizer honoured', refs: [ref('a', 'dangling')], deps: true, fin: ['orphan'], want: { kind: 'delete', policy: 'Orphan' } },
    { name: 'owner gone, own foreground finalizer honoured', refs: [ref('a', 'dangling')], deps: true, fin: ['foregroundDeletion'], want: { kind: 'delete', policy: 'Foreground' } },
    { name: 'one of two owners gone: the stale reference is removed', refs: [ref('a', 'solid'), ref('b', 'dangling')], deps: false, fin: [], want: { kind: 'removeRefs', uids: ['b'] } },
    { name: 'a solid and a foreground-deleting owner: that reference goes', refs: [ref('a', 'solid'), ref('b', 'waiting')], deps: false, fin: [], want: { kind: 'removeRefs', uids: ['b'] } },
    { name: 'owner deleting in foreground, no dependents: background delete', refs: [ref('a', 'waiting')], deps: false, fin: [], want: { kind: 'delete', policy: 'Background' } },
    { name: 'owner deleting in foreground, has dependents: foreground delete', refs: [ref('a', 'waiting')], deps: true, fin: [], want: { kind: 'delete', policy: 'Foreground' } },
    { name: 'an unknown owner kind is never treated as gone', refs: [ref('a', 'unresolvable'), ref('b', 'dangling')], deps: false, fin: [], want: { kind: 'none' } },
  ])('$name', ({ refs, deps, fin, want }) => {
    expect(decideDependent(refs, deps, fin)).toEqual(want);
  });
});

describe('decideDeletingOwner', () => {
  const owner = (finalizers: string[], deleting = true) => ({ metadata: { uid: 'o', finalizers, ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) } });
  const dep = (name: string, block: boolean, extra: object = {}) => ({ name, metadata: { uid: name, ownerReferences: [{ uid: 'o', blockOwnerDeletion: block }], ...extra } });

  it.each([
    { name: 'not being deleted', owner: owner(['foregroundDeletion'], false), deps: [dep('a', true)], want: 'none' },
    { name: 'deleting without GC finalizers', owner: owner(['example.com/x']), deps: [dep('a', true)], want: 'none' },
    { name: 'orphan with dependents: orphan them', owner: owner(['orphan']), deps: [dep('a', true), dep('b', false)], want: 'orphan:a,b' },
    { name: 'orphan without dependents: drop the finalizer', owner: owner(['orphan']), deps: [], want: 'removeFinalizer:orphan' },
    { name: 'foreground with blocking dependents: wait and delete them', owner: owner(['foregroundDeletion']), deps: [dep('a', true), dep('b', false)], want: 'awaitDependents:a' },
    { name: 'foreground with only non-blocking dependents: done', owner: owner(['foregroundDeletion']), deps: [dep('b', false)], want: 'removeFinalizer:foregroundDeletion' },
    {
      name: 'a blocking dependent already deleting its own dependents is waited for, not re-deleted',
      owner: owner(['foregroundDeletion']),
      deps: [dep('a', true, { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] })],
      want: 'awaitDependents:',
    },
  ])('$name', ({ owner, deps, want }) => {
    const a = decideDeletingOwner(owner, deps);
    const summary =
      a.kind === 'orphan' || a.kind === 'awaitDependents' ? `${a.kind}:${a.dependents.map((d) => d.name).join(',')}` : a.kind === 'removeFinalizer' ? `${a.kind}:${a.finalizer}` : a.kind;
    expect(summary).toBe(want);
  });
});

describe('graph resources', () => {
  it('watches every deletable stored resource except Events', () => {
    const storages = collectedResources().map((r) => r.storage);
    expect(storages).toEqual(expect.arrayContaining(['core/pods', 'core/nodes', 'apps/replicasets', 'batch/jobs', 'coordination.k8s.io/leases', 'rbac.authorization.k8s.io/clusterroles']));
    expect(storages).not.toContain('core/events');
    expect(new Set(storages).size).toBe(storages.length);
  });

  it.each([
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', storage: 'apps/replicasets' },
    { apiVersion: 'v1', kind: 'Node', storage: 'core/nodes' },
    { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', storage: 'autoscaling/horizontalpodautoscalers' },
    { apiVersion: 'example.com/v1', kind: 'Widget', storage: undefined },
  ])('$apiVersion $kind → $storage', ({ apiVersion, kind, storage }) => {
    expect(resolveOwner({ apiVersion, kind })?.storage).toBe(storage);
  });
});
