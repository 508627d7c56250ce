import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod } from '../test-fixtures.js';
import { nodeName } from './node-name.js';

describe('NodeName', () => {
  it.each([
    { name: 'a pod naming no node fits every node', spec: {}, want: { a: undefined, b: undefined } },
    { name: 'a pod naming a node fits only that one', spec: { nodeName: 'b' }, want: { a: ["node(s) didn't match the requested node name"], b: undefined } },
  ])('$name', ({ spec, want }) => {
    const result = filterAll(nodeName, makePod('p', { spec }), clusterOf([makeNode('a'), makeNode('b')]));
    expect({ a: result.a?.reasons, b: result.b?.reasons }).toEqual(want);
    expect(result.a?.unresolvable ?? true).toBe(true);
  });
});
