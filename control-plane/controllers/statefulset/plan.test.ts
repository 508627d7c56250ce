import { describe, expect, it } from 'vitest';
import { applyRevision, templatePatch } from '../history/revisions.js';
import { newStatefulSetPod } from './identity.js';
import { planStatefulSet, type StatefulSetAction, type StatefulSetState } from './plan.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } });

interface SetOptions {
  replicas?: number;
  policy?: 'OrderedReady' | 'Parallel';
  partition?: number;
  onDelete?: boolean;
  minReadySeconds?: number;
  claims?: boolean;
  retention?: { whenDeleted: string; whenScaled: string };
  deleting?: boolean;
}

function makeSet(o: SetOptions = {}): any {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 4, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: o.policy ?? 'OrderedReady',
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      minReadySeconds: o.minReadySeconds ?? 0,
      template: template('v2'),
      ...(o.claims ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } : {}),
      ...(o.retention ? { persistentVolumeClaimRetentionPolicy: o.retention } : {}),
    },
    status: {},
  };
}

type PodState = 'ready' | 'running' | 'pending' | 'failed' | 'succeeded' | 'terminating' | 'just-ready';

/** A pod of `ordinal` at revision 'r1' (template v1) or 'r2' (v2), in `state`. */
function pod(set: any, ordinal: number, state: PodState = 'ready', revision: 'r1' | 'r2' = 'r2'): any {
  const p = newStatefulSetPod(applyRevision(set, { data: templatePatch({ spec: { template: template(revision === 'r1' ? 'v1' : 'v2') } }) }), ordinal, revision);
  p.metadata.uid = `pod-${ordinal}`;
  if (state === 'terminating') p.metadata.deletionTimestamp = '2024-01-01T00:09:00Z';
  const phase = { ready: 'Running', running: 'Running', 'just-ready': 'Running', pending: 'Pending', failed: 'Failed', succeeded: 'Succeeded', terminating: 'Running' }[state];
  const ready = state === 'ready' || state === 'terminating' || state === 'just-ready';
  const since = state === 'just-ready' ? '2024-01-01T00:09:55Z' : '2024-01-01T00:00:00Z';
  p.status = { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since }] };
  return p;
}

function state(set: any, pods: any[], claims: any[] = []): StatefulSetState {
  return {
    set,
    currentSet: applyRevision(set, { data: templatePatch({ spec: { template: template('v1') } }) }),
    updateSet: set,
    currentRevision: 'r1',
    updateRevision: 'r2',
    collisionCount: 0,
    pods,
    claims: new Map(claims.map((c) => [c.metadata.name, c])),
    now: NOW,
  };
}

function summary(actions: StatefulSetAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'createPod':
        return `create ${a.pod.metadata.name}@${a.pod.metadata.labels['controller-revision-hash']}${a.claims.length ? ` +${a.claims.map((c) => c.metadata.name).join('+')}` : ''}`;
      case 'createClaims':
        return `claims ${a.claims.map((c) => c.metadata.name).join('+')}`;
      case 'deletePod':
        return `delete ${a.pod.metadata.name} (${a.reason})`;
      case 'fixIdentity':
        return `identity ${a.pod.metadata.name}`;
      case 'setClaimOwners':
        return `owners ${a.claim.metadata.name}: ${a.ownerReferences.map((r) => r.kind).join(',')}`;
    }
  });
}

const plan = (set: any, pods: (s: any) => any[], claims: any[] = []) => planStatefulSet(state(set, pods(set), claims));

describe('OrderedReady scaling', () => {
  it.each<[string, SetOptions, (s: any) => any[], string[]]>([
    ['an empty set creates ordinal 0', {}, () => [], ['create web-0@r2']],
    ['waits while web-0 is not Ready', {}, (s) => [pod(s, 0, 'running')], []],
    ['waits while web-0 is Pending', {}, (s) => [pod(s, 0, 'pending')], []],
    ['creates web-1 once web-0 is Ready', {}, (s) => [pod(s, 0)], ['create web-1@r2']],
    ['creates web-2 once web-0 and web-1 are Ready', {}, (s) => [pod(s, 0), pod(s, 1)], ['create web-2@r2']],
    ['re-creates a missing middle ordinal first', {}, (s) => [pod(s, 0), pod(s, 2)], ['create web-1@r2']],
    ['waits for a terminating pod to go', {}, (s) => [pod(s, 0), pod(s, 1, 'terminating')], []],
    ['waits for minReadySeconds before the next', { minReadySeconds: 30 }, (s) => [pod(s, 0, 'just-ready')], []],
    ['scales down from the highest ordinal', { replicas: 1 }, (s) => [pod(s, 0), pod(s, 1), pod(s, 2)], ['delete web-2 (scale-down)']],
    ['deletes the next only after the previous is gone', { replicas: 1 }, (s) => [pod(s, 0), pod(s, 1), pod(s, 2, 'terminating')], []],
    ['then deletes web-1', { replicas: 1 }, (s) => [pod(s, 0), pod(s, 1)], ['delete web-1 (scale-down)']],
    ['deletes an unhealthy condemned pod that is the first unhealthy one', { replicas: 1 }, (s) => [pod(s, 0), pod(s, 1), pod(s, 2, 'running')], ['delete web-2 (scale-down)']],
    ['waits on an unhealthy condemned pod that is not the first unhealthy one', { replicas: 1 }, (s) => [pod(s, 0), pod(s, 1, 'running'), pod(s, 2, 'running')], []],
    ['does not scale down while a replica is not Ready', { replicas: 1 }, (s) => [pod(s, 0, 'running'), pod(s, 1), pod(s, 2)], []],
    ['deletes a failed pod and waits', {}, (s) => [pod(s, 0), pod(s, 1, 'failed'), pod(s, 2)], ['delete web-1 (failed)']],
    ['deletes a succeeded pod and waits', {}, (s) => [pod(s, 0, 'succeeded')], ['delete web-0 (succeeded)']],
    ['does nothing for a set being deleted', { deleting: true }, () => [], []],
  ])('%s', (_what, opts, pods, expected) => {
    expect(summary(plan(makeSet(opts), pods).actions)).toEqual(expected);
  });
});

describe('Parallel scaling', () => {
  it.each<[string, SetOptions, (s: any) => any[], string[]]>([
    ['creates every missing ordinal at once', { policy: 'Parallel' }, () => [], ['create web-0@r2', 'create web-1@r2', 'create web-2@r2']],
    ['creates past pods that are not Ready', { policy: 'Parallel' }, (s) => [pod(s, 0, 'running')], ['create web-1@r2', 'create web-2@r2']],
    ['deletes every condemned pod at once', { policy: 'Parallel', replicas: 0 }, (s) => [pod(s, 0, 'running'), pod(s, 1), pod(s, 2, 'terminating')], ['delete web-1 (scale-down)', 'delete web-0 (scale-down)']],
  ])('%s', (_what, opts, pods, expected) => {
    expect(summary(plan(makeSet(opts), pods).actions)).toEqual(expected);
  });
});

describe('updates', () => {
  const old = (s: any, n: number, st: PodState = 'ready') => pod(s, n, st, 'r1');
  it.each<[string, SetOptions, (s: any) => any[], string[]]>([
    ['RollingUpdate deletes the highest old pod', {}, (s) => [old(s, 0), old(s, 1), old(s, 2)], ['delete web-2 (update)']],
    ['waits for the updated pod to be Ready', {}, (s) => [old(s, 0), old(s, 1), pod(s, 2, 'running')], []],
    ['then updates the next lower one', {}, (s) => [old(s, 0), old(s, 1), pod(s, 2)], ['delete web-1 (update)']],
    ['waits for a pod being replaced to go', { policy: 'Parallel' }, (s) => [old(s, 0), old(s, 1), old(s, 2, 'terminating')], []],
    ['stops at the partition', { partition: 2 }, (s) => [old(s, 0), old(s, 1), pod(s, 2)], []],
    ['creates below the partition at the current revision', { partition: 3 }, (s) => [old(s, 0), old(s, 1)], ['create web-2@r1']],
    ['creates at or above the partition at the update revision', { partition: 2 }, (s) => [old(s, 0), old(s, 1)], ['create web-2@r2']],
    ['OnDelete leaves old pods alone', { onDelete: true }, (s) => [old(s, 0), old(s, 1), old(s, 2)], []],
    ['OnDelete re-creates a deleted pod at the update revision', { onDelete: true }, (s) => [old(s, 0), old(s, 1)], ['create web-2@r2']],
  ])('%s', (_what, opts, pods, expected) => {
    expect(summary(plan(makeSet(opts), pods).actions)).toEqual(expected);
  });
});

describe('status', () => {
  it('counts replicas by readiness, availability and revision', () => {
    const set = makeSet({ minReadySeconds: 30 });
    const { status } = planStatefulSet(state(set, [pod(set, 0, 'ready', 'r1'), pod(set, 1, 'just-ready'), pod(set, 2, 'terminating', 'r1')]));
    expect(status).toEqual({
      observedGeneration: 4,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 2,
      currentReplicas: 1,
      updatedReplicas: 1,
      currentRevision: 'r1',
      updateRevision: 'r2',
      collisionCount: 0,
    });
  });

  it('completes the rolling update when every pod is updated and Ready', () => {
    const set = makeSet();
    const { status } = planStatefulSet(state(set, [pod(set, 0), pod(set, 1), pod(set, 2)]));
    expect(status).toMatchObject({ currentRevision: 'r2', currentReplicas: 3, updatedReplicas: 3 });
  });

  it('asks to look again when minReadySeconds runs out', () => {
    const set = makeSet({ minReadySeconds: 30 });
    expect(planStatefulSet(state(set, [pod(set, 0, 'just-ready')])).requeueAfterMs).toBe(25_000);
  });
});

describe('claims', () => {
  const claim = (name: string, refs: any[] = []) => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}`, ownerReferences: refs } });

  it('creates a pod with the claims it lacks, and reuses existing ones', () => {
    const set = makeSet({ claims: true, policy: 'Parallel' });
    expect(summary(plan(set, () => [], [claim('data-web-1')]).actions)).toEqual(['create web-0@r2 +data-web-0', 'create web-1@r2', 'create web-2@r2 +data-web-2']);
  });

  it('creates claims a pending pod lacks', () => {
    const set = makeSet({ claims: true, replicas: 1 });
    expect(summary(plan(set, (s) => [pod(s, 0, 'pending')]).actions)).toEqual(['claims data-web-0']);
  });

  it('waits for a stale claim (owned by a scaled-down pod) to go before re-creating its pod', () => {
    const set = makeSet({ claims: true, replicas: 1 });
    const stale = claim('data-web-0', [{ apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'old' }]);
    const result = plan(set, () => [], [stale]);
    expect(result.actions).toEqual([]);
    expect(result.requeueAfterMs).toBeGreaterThan(0);
  });

  it('sets retention owner references on replicas and condemned pods before deleting', () => {
    const set = makeSet({ claims: true, replicas: 1, retention: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    const result = plan(set, (s) => [pod(s, 0), pod(s, 1)], [claim('data-web-0'), claim('data-web-1')]);
    expect(summary(result.actions)).toEqual(['owners data-web-0: StatefulSet', 'owners data-web-1: Pod', 'delete web-1 (scale-down)']);
  });

  it('puts the identity labels back on a pod that lost them', () => {
    const set = makeSet({ replicas: 1 });
    const p = pod(set, 0);
    delete p.metadata.labels['apps.kubernetes.io/pod-index'];
    expect(summary(plan(set, () => [p]).actions)).toEqual(['identity web-0']);
  });
});
