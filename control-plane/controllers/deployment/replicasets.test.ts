import { describe, expect, it } from 'vitest';
import { deployment, replicaSet } from './fixtures.js';
import { newReplicaSetFor } from './new-replicaset.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, REVISION } from './annotations.js';
import { computeHash, POD_TEMPLATE_HASH } from './hash.js';
import { findActiveOrLatest, findNewReplicaSet, findOldReplicaSets } from './replicasets.js';

describe('new and old ReplicaSets', () => {
  it('the new one runs the Deployment template; the oldest if several do', () => {
    const d = deployment({ image: 'nginx:2' });
    const rss = [replicaSet('b', { image: 'nginx:2', created: 20 }), replicaSet('a', { image: 'nginx:1', created: 0 }), replicaSet('c', { image: 'nginx:2', created: 10 })];
    expect(findNewReplicaSet(d, rss)?.metadata?.name).toBe('c');
    expect(findOldReplicaSets(d, rss).map((rs) => rs.metadata?.name)).toEqual(['b', 'a']);
    expect(findNewReplicaSet(deployment({ image: 'nginx:3' }), rss)).toBeUndefined();
  });

  it.each([
    ['only the new one is active', replicaSet('n', { replicas: 2 }), [replicaSet('o', { replicas: 0 })], 'n'],
    ['only an old one is active', replicaSet('n', { replicas: 0 }), [replicaSet('o', { replicas: 3 })], 'o'],
    ['none active: the new one', replicaSet('n', { replicas: 0 }), [replicaSet('o', { replicas: 0 })], 'n'],
    ['several active: none', replicaSet('n', { replicas: 1 }), [replicaSet('o', { replicas: 3 })], undefined],
  ])('findActiveOrLatest: %s', (_name, newRS, oldRSs, expected) => {
    expect(findActiveOrLatest(newRS, oldRSs)?.metadata?.name).toBe(expected);
  });
});

describe('newReplicaSetFor', () => {
  it('names, labels, selects and annotates the ReplicaSet of the template, sized by the surge', () => {
    const d = deployment({ replicas: 5, maxSurge: 2, maxUnavailable: 0, image: 'nginx:2', annotations: { 'kubernetes.io/change-cause': 'v2' } });
    const rs = newReplicaSetFor(d, [replicaSet('web-old', { replicas: 5, revision: 1 })], 2);
    const hash = computeHash(d.spec!.template);
    expect(rs.metadata).toMatchObject({
      name: `web-${hash}`,
      namespace: 'default',
      labels: { app: 'web', [POD_TEMPLATE_HASH]: hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
      annotations: { [REVISION]: '2', [DESIRED_REPLICAS]: '5', [MAX_REPLICAS]: '7', 'kubernetes.io/change-cause': 'v2' },
    });
    expect(rs.spec!.replicas).toBe(2);
    expect(rs.spec!.selector).toEqual({ matchLabels: { app: 'web', [POD_TEMPLATE_HASH]: hash } });
    expect(rs.spec!.template!.metadata!.labels).toEqual({ app: 'web', [POD_TEMPLATE_HASH]: hash });
    expect(d.spec!.template.metadata!.labels).toEqual({ app: 'web' });
  });

  it('uses the collision count in the hash', () => {
    const d = deployment({ status: { collisionCount: 1 } });
    expect(newReplicaSetFor(d, [], 1).metadata!.name).toBe(`web-${computeHash(d.spec!.template, 1)}`);
  });
});
