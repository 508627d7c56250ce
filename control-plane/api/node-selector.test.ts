import { describe, expect, it } from 'vitest';
import { matchesNodeSelectorAndAffinity, nodeSelectorPredicate, preferredTerms, requiredNodePredicate } from './node-selector.js';

const node = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });
const required = (...terms: any[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });

describe('matchesNodeSelectorAndAffinity', () => {
  const n = node('n1', { zone: 'a', disk: 'ssd', cores: '8' });
  it.each([
    ['no constraints', {}, true],
    ['a matching nodeSelector', { nodeSelector: { zone: 'a' } }, true],
    ['a nodeSelector on a missing label', { nodeSelector: { gpu: 'yes' } }, false],
    ['In', required(expr('zone', 'In', ['a', 'b'])), true],
    ['NotIn', required(expr('zone', 'NotIn', ['a'])), false],
    ['NotIn on a missing label', required(expr('gpu', 'NotIn', ['yes'])), true],
    ['Exists and DoesNotExist', required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }, { key: 'gpu', operator: 'DoesNotExist' }] }), true],
    ['Gt', required(expr('cores', 'Gt', ['4'])), true],
    ['Gt with a signed bound', required(expr('cores', 'Gt', ['+4'])), true],
    ['Lt', required(expr('cores', 'Lt', ['4'])), false],
    ['Gt on a label that is no integer', required(expr('zone', 'Gt', ['4'])), false],
    ['terms are ORed', required(expr('zone', 'In', ['b']), expr('disk', 'In', ['ssd'])), true],
    ['an empty term matches nothing', required({}), false],
    ['no terms match nothing', required(), false],
    ['matchFields on the node name', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), true],
    ['matchFields on another node', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }), false],
    ['matchFields on another field: the term is dropped', required({ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['n1'] }] }), false],
    ['an invalid requirement drops its term (In without values)', required(expr('zone', 'In', [])), false],
    ['an invalid term does not hide a valid one', required(expr('zone', 'Exists', ['a']), expr('zone', 'Exists')), true],
    ['an unknown operator', required(expr('zone', 'Like', ['a'])), false],
    ['nodeSelector and affinity must both hold', { nodeSelector: { zone: 'b' }, ...required(expr('zone', 'Exists')) }, false],
  ])('%s: %s', (_what, spec, expected) => {
    expect(matchesNodeSelectorAndAffinity(spec, n)).toBe(expected);
  });
});

describe('predicates', () => {
  it('has no required predicate without constraints', () => {
    expect(requiredNodePredicate({})).toBeUndefined();
    expect(requiredNodePredicate({ nodeSelector: {} })).toBeUndefined();
  });

  it('compiles a NodeSelector once and matches node facts', () => {
    const p = nodeSelectorPredicate({ nodeSelectorTerms: [expr('zone', 'In', ['a'])] });
    expect(p({ name: 'x', labels: { zone: 'a' } })).toBe(true);
    expect(p({ name: 'x', labels: { zone: 'b' } })).toBe(false);
  });

  it('keeps the preferred terms that can match and have a weight', () => {
    const terms = preferredTerms([
      { weight: 5, preference: expr('zone', 'In', ['a']) },
      { weight: 0, preference: expr('zone', 'In', ['a']) },
      { weight: 3, preference: {} },
    ]);
    expect(terms.map((t) => t.weight)).toEqual([5]);
    expect(terms[0]!.matches({ name: 'x', labels: { zone: 'a' } })).toBe(true);
  });
});
