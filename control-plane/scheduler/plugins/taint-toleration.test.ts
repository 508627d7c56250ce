import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod, scoreAll } from '../test-fixtures.js';
import { taintToleration, taintTolerationScore } from './taint-toleration.js';

const CONTROL_PLANE = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

describe('TaintToleration filter', () => {
  it.each([
    { name: 'no taints', taints: [], tolerations: [], want: undefined },
    { name: 'an untolerated NoSchedule taint without value', taints: [CONTROL_PLANE], tolerations: [], want: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] },
    { name: 'an untolerated NoExecute taint with value', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }], tolerations: [], want: ['node(s) had untolerated taint {dedicated: gpu}'] },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }], tolerations: [], want: undefined },
    { name: 'tolerated by Exists', taints: [CONTROL_PLANE], tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }], want: undefined },
    { name: 'tolerated by Equal and value', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], want: undefined },
    { name: 'Equal with another value', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', value: 'cpu' }], want: ['node(s) had untolerated taint {dedicated: gpu}'] },
    { name: 'a toleration for another effect', taints: [CONTROL_PLANE], tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoExecute' }], want: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] },
    { name: 'tolerate everything', taints: [CONTROL_PLANE, { key: 'x', effect: 'NoExecute' }], tolerations: [{ operator: 'Exists' }], want: undefined },
    { name: 'the first untolerated taint is named', taints: [CONTROL_PLANE, { key: 'x', value: 'y', effect: 'NoExecute' }], tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }], want: ['node(s) had untolerated taint {x: y}'] },
  ])('$name', ({ taints, tolerations, want }) => {
    const result = filterAll(taintToleration, makePod('p', { spec: { tolerations } }), clusterOf([makeNode('n', { taints })])).n;
    expect(result?.reasons).toEqual(want);
    if (result) expect(result.unresolvable).toBe(true);
  });
});

describe('TaintToleration score', () => {
  const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' });
  const nodes = [makeNode('none'), makeNode('one', { taints: [soft('a')] }), makeNode('two', { taints: [soft('a'), soft('b')] })];

  it('prefers nodes with fewer intolerable PreferNoSchedule taints', () => {
    expect(scoreAll(taintTolerationScore, makePod('p'), clusterOf(nodes))).toEqual({ none: 100, one: 50, two: 0 });
  });

  it('ignores the taints the pod tolerates', () => {
    const pod = makePod('p', { spec: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    expect(scoreAll(taintTolerationScore, pod, clusterOf(nodes))).toEqual({ none: 100, one: 100, two: 0 });
  });

  it('skips when no node has such taints', () => {
    expect(scoreAll(taintTolerationScore, makePod('p'), clusterOf([makeNode('a')]))).toBeUndefined();
  });
});
