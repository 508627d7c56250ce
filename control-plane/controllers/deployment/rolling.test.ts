import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import { deployment, replicaSet } from './fixtures.js';
import { maxSurge, maxUnavailable } from './fenceposts.js';
import { newReplicaSetReplicas, rollingUpdateStep } from './rolling.js';

const sizes = (actions: { rs: ReplicaSet; replicas: number }[]) => actions.map((a) => `${a.rs.metadata!.name}=${a.replicas}`);

describe('rollingUpdateStep', () => {
  it.each([
    // [case, deployment, new RS, old RSs, expected actions]
    ['article: new RS may surge by 2', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), replicaSet('new', { replicas: 0 }), [replicaSet('old', { replicas: 5 })], ['new=2']],
    ['article: surge used, new pods not available yet: wait', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), replicaSet('new', { replicas: 2, ready: 0 }), [replicaSet('old', { replicas: 5 })], []],
    ['article: 2 new available: old down by 2', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), replicaSet('new', { replicas: 2 }), [replicaSet('old', { replicas: 5 })], ['old=3']],
    ['article: old told to shrink but pods not yet gone: no surge', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), replicaSet('new', { replicas: 2 }), [replicaSet('old', { replicas: 3, actual: 5 })], []],
    ['article: old told to shrink still reports its doomed pods available: they do not count', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), replicaSet('new', { replicas: 2 }), [replicaSet('old', { replicas: 4, actual: 5, ready: 5 })], ['old=3']],
    ['article: old pods gone: new up to 4', deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), replicaSet('new', { replicas: 2 }), [replicaSet('old', { replicas: 3 })], ['new=4']],
    ['maxUnavailable lets old go down before new is ready', deployment({ replicas: 10, maxSurge: 0, maxUnavailable: 2 }), replicaSet('new', { replicas: 0 }), [replicaSet('old', { replicas: 10 })], ['old=8']],
    ['percentages: 25%/25% of 10 surge 3', deployment({ replicas: 10 }), replicaSet('new', { replicas: 0 }), [replicaSet('old', { replicas: 10 })], ['new=3']],
    ['unhealthy old pods go first even without availability to spare', deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 0 }), replicaSet('new', { replicas: 1, ready: 1 }), [replicaSet('old', { replicas: 4, ready: 2 })], ['old=3']],
    ['a broken new RS stops old ones from shrinking', deployment({ replicas: 10, maxSurge: 3, maxUnavailable: 2 }), replicaSet('new', { replicas: 5, ready: 0 }), [replicaSet('old', { replicas: 8 })], []],
    ['the new RS above replicas is scaled down', deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }), replicaSet('new', { replicas: 5 }), [], ['new=3']],
    ['complete rollout: nothing to do', deployment({ replicas: 3 }), replicaSet('new', { replicas: 3 }), [replicaSet('old', { replicas: 0 })], []],
    [
      'several old RSs: oldest scaled down first',
      deployment({ replicas: 6, maxSurge: 0, maxUnavailable: 3 }),
      replicaSet('new', { replicas: 0, created: 30 }),
      [replicaSet('older', { replicas: 2, created: 10 }), replicaSet('old', { replicas: 4, created: 20 })],
      ['older=0', 'old=3'],
    ],
  ])('%s', (_name, d, newRS, oldRSs, expected) => {
    expect(sizes(rollingUpdateStep(d, newRS, oldRSs))).toEqual(expected);
  });
});

describe('newReplicaSetReplicas', () => {
  it('for Recreate is spec.replicas at once', () => {
    const d = deployment({ replicas: 4, strategy: 'Recreate' });
    expect(newReplicaSetReplicas(d, [replicaSet('old', { replicas: 4 })], replicaSet('new'))).toBe(4);
  });

  it('for a first rollout is spec.replicas', () => {
    const rs = replicaSet('new');
    expect(newReplicaSetReplicas(deployment({ replicas: 7 }), [rs], rs)).toBe(7);
  });
});

interface SimPod {
  ready: boolean;
}

/**
 * A small world: each tick the Deployment takes one step, each ReplicaSet controller converges its
 * pods to spec (new pods not ready, unready ones deleted first), then the kubelet makes pods
 * Ready. Checks the RollingUpdate invariants at every intermediate state and returns the scale
 * history.
 */
function simulate(d: Deployment, oldReplicas: number): { history: string[]; maxPods: number; minAvailable: number } {
  const pods = new Map<string, SimPod[]>([
    ['old', Array.from({ length: oldReplicas }, () => ({ ready: true }))],
    ['new', []],
  ]);
  const specs = new Map([
    ['old', oldReplicas],
    ['new', 0],
  ]);
  const history: string[] = [];
  let maxPods = 0;
  let minAvailable = Infinity;
  const observe = () => {
    const all = [...pods.values()].flat();
    maxPods = Math.max(maxPods, all.length);
    minAvailable = Math.min(minAvailable, all.filter((p) => p.ready).length);
  };
  const rsOf = (name: string) => {
    const ps = pods.get(name)!;
    const ready = ps.filter((p) => p.ready).length;
    return replicaSet(name, { replicas: specs.get(name)!, actual: ps.length, ready, created: name === 'old' ? 0 : 10 });
  };
  for (let tick = 0; tick < 100; tick++) {
    for (const a of rollingUpdateStep(d, rsOf('new'), [rsOf('old')])) {
      history.push(`${a.rs.metadata!.name} ${a.rs.spec!.replicas}->${a.replicas}`);
      specs.set(a.rs.metadata!.name!, a.replicas);
    }
    observe();
    for (const [name, ps] of pods) {
      const want = specs.get(name)!;
      while (ps.length < want) ps.push({ ready: false });
      ps.sort((a, b) => Number(a.ready) - Number(b.ready));
      if (ps.length > want) ps.splice(0, ps.length - want);
    }
    observe();
    for (const ps of pods.values()) for (const p of ps) p.ready = true;
    observe();
    if (specs.get('old') === 0 && pods.get('new')!.length === d.spec!.replicas && pods.get('new')!.every((p) => p.ready)) return { history, maxPods, minAvailable };
  }
  throw new Error(`rollout did not finish: ${history.join(', ')}`);
}

describe('a whole rolling update', () => {
  it("the article's Deployment (5 replicas, maxSurge 2, maxUnavailable 0) goes 2 pods at a time", () => {
    const { history, maxPods, minAvailable } = simulate(deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0 }), 5);
    expect(history).toEqual(['new 0->2', 'old 5->3', 'new 2->4', 'old 3->1', 'new 4->5', 'old 1->0']);
    expect(maxPods).toBe(7);
    expect(minAvailable).toBe(5);
  });

  it.each([
    [10, '25%', '25%'],
    [10, 0, 1],
    [10, 1, 0],
    [3, '50%', '50%'],
    [7, '30%', 0],
    [1, 0, 1],
  ] as const)('%i replicas, surge %j, unavailable %j stay within bounds', (replicas, surge, unavailable) => {
    const d = deployment({ replicas, maxSurge: surge, maxUnavailable: unavailable });
    const { maxPods, minAvailable } = simulate(d, replicas);
    expect(maxPods).toBeLessThanOrEqual(replicas + maxSurge(d));
    expect(minAvailable).toBeGreaterThanOrEqual(replicas - maxUnavailable(d));
  });
});
