import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { POD_DELETION_COST, podsToDelete } from './replicaset-ranking.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface P {
  name: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  readyFor?: number;
  restarts?: number;
  age?: number;
  cost?: number;
}

function pod(p: P): Pod {
  return {
    metadata: { name: p.name, uid: p.name, creationTimestamp: ago(p.age ?? 1000), annotations: p.cost !== undefined ? { [POD_DELETION_COST]: String(p.cost) } : {} },
    spec: { nodeName: p.node ?? 'n1', containers: [] },
    status: {
      phase: p.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True', lastTransitionTime: ago(p.readyFor ?? 500) }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: p.ready !== false, restartCount: p.restarts ?? 0 }],
    },
  };
}

describe('podsToDelete', () => {
  it.each([
    ['unscheduled first', [{ name: 'bound' }, { name: 'unbound', node: '' }], 'unbound'],
    ['Pending before Running', [{ name: 'running' }, { name: 'pending', phase: 'Pending', ready: false }], 'pending'],
    ['Unknown before Running', [{ name: 'running' }, { name: 'unknown', phase: 'Unknown' }], 'unknown'],
    ['not Ready before Ready', [{ name: 'ready' }, { name: 'unready', ready: false }], 'unready'],
    ['lower deletion cost first', [{ name: 'expensive', cost: 10 }, { name: 'cheap', cost: -5 }], 'cheap'],
    ['Ready for less time first', [{ name: 'long', readyFor: 10_000 }, { name: 'short', readyFor: 10 }], 'short'],
    ['more restarts first', [{ name: 'calm', restarts: 0 }, { name: 'crashy', restarts: 4 }], 'crashy'],
    ['newer first', [{ name: 'old', age: 100_000, readyFor: 500 }, { name: 'new', age: 10, readyFor: 500 }], 'new'],
  ] as [string, P[], string][])('%s', (_name, specs, first) => {
    const pods = specs.map(pod);
    expect(podsToDelete(pods, pods, 1, NOW)[0]!.metadata!.name).toBe(first);
    expect(podsToDelete([...pods].reverse(), pods, 1, NOW)[0]!.metadata!.name).toBe(first);
  });

  it('prefers pods doubled up on a node with their siblings', () => {
    const alone = pod({ name: 'alone', node: 'n1' });
    const crowded = pod({ name: 'crowded', node: 'n2' });
    const siblings = [pod({ name: 's1', node: 'n2' }), pod({ name: 's2', node: 'n2' })];
    expect(podsToDelete([alone, crowded], [alone, crowded, ...siblings], 1, NOW)[0]!.metadata!.name).toBe('crowded');
  });

  it('treats ready times within one power of two as equal (ties by uid, before restarts)', () => {
    const late = pod({ name: 'z-600', readyFor: 600, restarts: 3 });
    const early = pod({ name: 'a-700', readyFor: 700 });
    // 600 s and 700 s fall in the same log2 bucket: the smaller uid goes first.
    expect(podsToDelete([late, early], [late, early], 1, NOW)[0]!.metadata!.name).toBe('a-700');
  });

  it('returns every pod when all must go', () => {
    const pods = [pod({ name: 'a' }), pod({ name: 'b' })];
    expect(podsToDelete(pods, pods, 5, NOW)).toHaveLength(2);
  });
});
