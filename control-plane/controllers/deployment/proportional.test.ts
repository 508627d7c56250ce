import { describe, expect, it } from 'vitest';
import { deployment, replicaSet } from './fixtures.js';
import { isScalingEvent, proportionalScale } from './proportional.js';

const sizes = (actions: { rs: { metadata?: { name?: string } }; replicas: number }[]) => Object.fromEntries(actions.map((a) => [a.rs.metadata!.name!, a.replicas]));

describe('proportionalScale', () => {
  // Upstream's sync_test cases: surge 0 / unavailable 0, the ReplicaSets annotated for the old size.
  it.each([
    ['5 -> 10', 5, 10, { v2: 2 }, { v1: 3 }, { v2: 4, v1: 6 }],
    ['5 -> 3', 5, 3, { v2: 2 }, { v1: 3 }, { v2: 1, v1: 2 }],
    ['9 -> 4', 9, 4, { v2: 8 }, { v1: 1 }, { v2: 4, v1: 0 }],
    ['7 -> 10', 7, 10, { v3: 2 }, { v2: 3, v1: 2 }, { v3: 3, v2: 4, v1: 3 }],
    ['13 -> 8', 13, 8, { v3: 2 }, { v2: 8, v1: 3 }, { v3: 1, v2: 5, v1: 2 }],
    ['leftover 3 -> 4 goes to the newest', 3, 4, { v3: 1 }, { v2: 1, v1: 1 }, { v3: 2, v2: 1, v1: 1 }],
    ['leftover 3 -> 2 comes from the oldest', 3, 2, { v3: 1 }, { v2: 1, v1: 1 }, { v3: 1, v2: 1, v1: 0 }],
    ['to 0', 5, 0, { v2: 2 }, { v1: 3 }, { v2: 0, v1: 0 }],
  ])('%s', (_name, from, to, newSizes, oldSizes, expected) => {
    const d = deployment({ replicas: to, maxSurge: 0, maxUnavailable: 0 });
    const created = { v1: 0, v2: 10, v3: 20 } as Record<string, number>;
    const make = (name: string, replicas: number) => replicaSet(name, { replicas, created: created[name], desired: from, max: from });
    const [newName, newSize] = Object.entries(newSizes)[0]!;
    const newRS = make(newName, newSize);
    const oldRSs = Object.entries(oldSizes).map(([n, s]) => make(n, s));
    expect(isScalingEvent(d, newRS, oldRSs)).toBe(true);
    expect(sizes(proportionalScale(d, newRS, oldRSs))).toEqual(expected);
  });

  it('a single active ReplicaSet takes the new size', () => {
    const d = deployment({ replicas: 12 });
    expect(sizes(proportionalScale(d, replicaSet('new', { replicas: 10, desired: 10 }), [replicaSet('old', { replicas: 0 })]))).toEqual({ new: 12 });
  });

  it('with nothing active the newest old one is scaled when there is no new one', () => {
    const d = deployment({ replicas: 2 });
    const older = replicaSet('older', { replicas: 0, created: 0 });
    const newer = replicaSet('newer', { replicas: 0, created: 10 });
    expect(sizes(proportionalScale(d, undefined, [older, newer]))).toEqual({ newer: 2 });
  });

  it('a saturated new ReplicaSet leaves old ones at 0', () => {
    const d = deployment({ replicas: 3 });
    const newRS = replicaSet('new', { replicas: 3, desired: 3 });
    expect(sizes(proportionalScale(d, newRS, [replicaSet('old', { replicas: 2, desired: 3 })]))).toEqual({ old: 0 });
  });

  it('is not a scaling event when the annotations match', () => {
    const d = deployment({ replicas: 3 });
    expect(isScalingEvent(d, replicaSet('new', { replicas: 3, desired: 3 }), [replicaSet('old', { replicas: 0, desired: 5 })])).toBe(false);
  });
});
