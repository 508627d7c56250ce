import { describe, expect, it } from 'vitest';
import { fnv32a, revisionHash, safeEncode } from './hash.js';
import {
  applyRevision,
  canonicalJson,
  equalRevision,
  hashOfData,
  nextRevisionNumber,
  planUpdateRevision,
  revisionName,
  revisionsToTruncate,
  sortRevisions,
  templateOf,
  templatePatch,
  type ControllerRevision,
} from './revisions.js';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } });
const owner = (image: string) => ({ metadata: { name: 'web' }, spec: { replicas: 3, template: template(image) } });

function rev(name: string, revision: number, image: string, created = '2024-01-01T00:00:00Z'): ControllerRevision {
  return { metadata: { name, creationTimestamp: created }, revision, data: templatePatch(owner(image)) };
}

describe('hashes', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('fnv32a(%j) is the FNV-1a reference value', (text, expected) => {
    expect(fnv32a(text)).toBe(expected);
  });

  it('writes hashes in the safe alphabet, stable and changing with the collision count', () => {
    expect(safeEncode('0123456789')).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    const data = canonicalJson(templatePatch(owner('a')));
    expect(revisionHash(data, 0)).toBe(revisionHash(data, 0));
    expect(revisionHash(data, 1)).not.toBe(revisionHash(data, 0));
    expect(revisionHash(data, 0)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('hashes data independently of key order', () => {
    expect(hashOfData({ a: 1, b: { c: 2, d: 3 } }, 0)).toBe(hashOfData({ b: { d: 3, c: 2 }, a: 1 }, 0));
  });

  it('cuts long owner names so that revision names fit 253 characters', () => {
    expect(revisionName('x'.repeat(300), 'abc')).toHaveLength(227);
    expect(revisionName('web', 'abc')).toBe('web-abc');
  });
});

describe('revision data', () => {
  it('is the strategic merge patch kubectl rollout undo sends, and restores the template', () => {
    const data = templatePatch(owner('nginx:1'));
    expect(data).toEqual({ spec: { template: { ...template('nginx:1'), $patch: 'replace' } } });
    expect(templateOf({ data })).toEqual(template('nginx:1'));
    const restored = applyRevision(owner('nginx:2'), { data });
    expect(restored.spec).toEqual({ replicas: 3, template: template('nginx:1') });
  });

  it('compares revisions by their data', () => {
    expect(equalRevision(rev('a', 1, 'x'), rev('b', 2, 'x'))).toBe(true);
    expect(equalRevision(rev('a', 1, 'x'), rev('b', 2, 'y'))).toBe(false);
  });

  it('sorts by revision, then creation time, then name', () => {
    const sorted = sortRevisions([rev('c', 2, 'x'), rev('b', 1, 'x', '2024-01-02T00:00:00Z'), rev('a', 1, 'x', '2024-01-02T00:00:00Z'), rev('z', 1, 'x')]);
    expect(sorted.map((r) => r.metadata.name)).toEqual(['z', 'a', 'b', 'c']);
    expect(nextRevisionNumber(sorted)).toBe(3);
    expect(nextRevisionNumber([])).toBe(1);
  });
});

describe('planUpdateRevision', () => {
  const history = [rev('web-1', 1, 'v1'), rev('web-2', 2, 'v2'), rev('web-3', 3, 'v3')];
  it.each([
    ['no history yet: create revision 1', [], 'v1', { action: 'create', number: 1 }],
    ['a new template: create the next number', history, 'v4', { action: 'create', number: 4 }],
    ['the newest template: reuse it', history, 'v3', { action: 'reuse', name: 'web-3' }],
    ['an older template (rollback): renumber it to the next', history, 'v1', { action: 'renumber', name: 'web-1', to: 4 }],
  ])('%s', (_what, revisions, image, expected: any) => {
    const plan = planUpdateRevision(revisions, templatePatch(owner(image)));
    expect(plan.action).toBe(expected.action);
    if (plan.action === 'create') expect(plan.number).toBe(expected.number);
    else expect(plan.revision.metadata.name).toBe(expected.name);
    if (plan.action === 'renumber') expect(plan.to).toBe(expected.to);
  });
});

describe('revisionsToTruncate', () => {
  const history = [1, 2, 3, 4, 5].map((n) => rev(`r${n}`, n, `v${n}`));
  it.each([
    ['keeps everything within the limit', 10, ['r5'], []],
    ['deletes the oldest non-live first', 2, ['r5'], ['r1', 'r2']],
    ['never deletes live revisions', 0, ['r5', 'r1'], ['r2', 'r3', 'r4']],
    ['counts only non-live revisions against the limit', 1, ['r5', 'r4', 'r3'], ['r1']],
  ])('%s', (_what, limit, live, expected) => {
    expect(revisionsToTruncate(history, new Set(live), limit).map((r) => r.metadata.name)).toEqual(expected);
  });
});
