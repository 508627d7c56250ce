import { describe, expect, it } from 'vitest';
import { blocksScheduling, firstUntolerated, tolerates, type Taint, type Toleration } from './taints.js';

describe('tolerates', () => {
  const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  it.each<[string, Toleration, boolean]>([
    ['Equal with the same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, true],
    ['the default operator is Equal', { key: 'dedicated', value: 'db' }, true],
    ['an empty operator is Equal', { key: 'dedicated', operator: '', value: 'db' }, true],
    ['Equal with another value', { key: 'dedicated', value: 'web' }, false],
    ['Exists on the key', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists with another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['Exists without a key tolerates everything', { operator: 'Exists' }, true],
    ['another key', { key: 'other', operator: 'Exists' }, false],
    ['an unknown operator', { key: 'dedicated', operator: 'Matches', value: 'db' }, false],
  ])('%s: %s', (_what, toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });

  it.each<{ tol: Toleration; taint: Taint; ok: boolean }>([
    { tol: { key: 'k', operator: 'Equal', value: 'v' }, taint: { key: 'k', value: 'v', effect: 'NoExecute' }, ok: true },
    { tol: { key: 'k', value: 'v' }, taint: { key: 'k', value: 'w', effect: 'NoExecute' }, ok: false },
    { tol: { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint: { key: 'k', effect: 'NoExecute' }, ok: false },
    { tol: { operator: 'Exists' }, taint: { key: 'anything', effect: 'NoExecute' }, ok: true },
  ])('tolerates($tol, $taint) = $ok', ({ tol, taint, ok }) => {
    expect(tolerates(tol, taint)).toBe(ok);
  });
});

describe('firstUntolerated', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'a', effect: 'NoSchedule' },
    { key: 'b', effect: 'NoExecute' },
  ];
  it.each<[string, Toleration[], string | undefined]>([
    ['nothing tolerated: the first blocking one', [], 'a'],
    ['PreferNoSchedule never blocks', [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }], undefined],
    ['the next one when the first is tolerated', [{ key: 'a', operator: 'Exists' }], 'b'],
    ['everything tolerated', [{ operator: 'Exists' }], undefined],
  ])('%s', (_what, tolerations, expected) => {
    expect(firstUntolerated(taints, tolerations, blocksScheduling)?.key).toBe(expected);
  });
});
