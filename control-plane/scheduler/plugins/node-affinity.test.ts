import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod, scoreAll } from '../test-fixtures.js';
import { nodeAffinity, nodeAffinityScore } from './node-affinity.js';

const NO_MATCH = ["node(s) didn't match Pod's node affinity/selector"];
const required = (...terms: any[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });

describe('NodeAffinity filter', () => {
  const node = makeNode('n1', { labels: { zone: 'a', gpus: '4', disk: 'ssd' } });

  it.each([
    { name: 'no constraints', spec: {}, want: undefined },
    { name: 'nodeSelector matches', spec: { nodeSelector: { zone: 'a', disk: 'ssd' } }, want: undefined },
    { name: 'nodeSelector misses a label', spec: { nodeSelector: { zone: 'a', team: 'x' } }, want: NO_MATCH },
    { name: 'nodeSelector, other value', spec: { nodeSelector: { zone: 'b' } }, want: NO_MATCH },
    { name: 'In', spec: required(expr('zone', 'In', ['a', 'b'])), want: undefined },
    { name: 'In, not listed', spec: required(expr('zone', 'In', ['b'])), want: NO_MATCH },
    { name: 'NotIn', spec: required(expr('zone', 'NotIn', ['a'])), want: NO_MATCH },
    { name: 'NotIn, label absent', spec: required(expr('team', 'NotIn', ['x'])), want: undefined },
    { name: 'Exists', spec: required(expr('disk', 'Exists')), want: undefined },
    { name: 'DoesNotExist', spec: required(expr('disk', 'DoesNotExist')), want: NO_MATCH },
    { name: 'Gt', spec: required(expr('gpus', 'Gt', ['3'])), want: undefined },
    { name: 'Gt, not greater', spec: required(expr('gpus', 'Gt', ['4'])), want: NO_MATCH },
    { name: 'Lt', spec: required(expr('gpus', 'Lt', ['5'])), want: undefined },
    { name: 'Gt on a label that is no integer', spec: required(expr('zone', 'Gt', ['1'])), want: NO_MATCH },
    { name: 'terms are ORed', spec: required(expr('zone', 'In', ['b']), expr('disk', 'In', ['ssd'])), want: undefined },
    { name: 'expressions of a term are ANDed', spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['hdd'] }] }), want: NO_MATCH },
    { name: 'matchFields on the node name', spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), want: undefined },
    { name: 'matchFields, another name', spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }), want: NO_MATCH },
    { name: 'an empty term matches nothing', spec: required({}), want: NO_MATCH },
    { name: 'no terms match nothing', spec: required(), want: NO_MATCH },
    { name: 'nodeSelector and affinity must both hold', spec: { nodeSelector: { zone: 'b' }, ...required(expr('disk', 'Exists')) }, want: NO_MATCH },
  ])('$name', ({ spec, want }) => {
    const result = filterAll(nodeAffinity, makePod('p', { spec }), clusterOf([node])).n1;
    expect(result?.reasons).toEqual(want);
    if (result) expect(result.unresolvable).toBe(true);
  });
});

describe('NodeAffinity score', () => {
  const preferred = (...terms: [number, any][]) => ({
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms.map(([weight, preference]) => ({ weight, preference })) } },
  });
  const nodes = [makeNode('a', { labels: { zone: 'a', disk: 'ssd' } }), makeNode('b', { labels: { zone: 'b', disk: 'ssd' } }), makeNode('c', { labels: { zone: 'c' } })];

  it('adds the weights of matching terms, normalized to the best node', () => {
    const pod = makePod('p', { spec: preferred([80, expr('zone', 'In', ['a'])], [20, expr('disk', 'In', ['ssd'])]) });
    expect(scoreAll(nodeAffinityScore, pod, clusterOf(nodes))).toEqual({ a: 100, b: 20, c: 0 });
  });

  it('skips pods without preferences', () => {
    expect(scoreAll(nodeAffinityScore, makePod('p'), clusterOf(nodes))).toBeUndefined();
  });
});
