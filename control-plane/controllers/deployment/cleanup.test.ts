import { describe, expect, it } from 'vitest';
import { replicaSetsToCleanUp } from './cleanup.js';
import { deployment, replicaSet } from './fixtures.js';

const names = (rss: { metadata?: { name?: string } }[]) => rss.map((rs) => rs.metadata!.name);

describe('replicaSetsToCleanUp', () => {
  const old = [replicaSet('r3', { revision: 3 }), replicaSet('r1', { revision: 1 }), replicaSet('r2', { revision: 2 }), replicaSet('r4', { revision: 4 })];

  it.each([
    ['keeps the newest revisionHistoryLimit, deleting the lowest revisions', 2, old, ['r1', 'r2']],
    ['limit 0 deletes every old one', 0, old, ['r1', 'r2', 'r3', 'r4']],
    ['within the limit nothing goes', 10, old, []],
    ['an old ReplicaSet with pods is kept', 2, [replicaSet('r1', { revision: 1, replicas: 1 }), ...old.slice(2)], []],
    ['one whose pods are still going is kept', 1, [replicaSet('r1', { revision: 1, actual: 1 }), replicaSet('r2', { revision: 2 })], []],
    ['one whose scale-down is not yet observed is kept', 1, [replicaSet('r1', { revision: 1, generation: 3, observedGeneration: 2 }), replicaSet('r2', { revision: 2 })], []],
  ])('%s', (_name, limit, rss, expected) => {
    expect(names(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: limit }), rss))).toEqual(expected);
  });
});
