import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod } from '../test-fixtures.js';
import { nodeResourcesFit } from './node-resources-fit.js';

describe('NodeResourcesFit', () => {
  const node = (extra: Parameters<typeof makeNode>[1] = {}) => makeNode('n1', { cpu: '4', memory: '8Gi', ...extra });
  const on = (name: string, o: Parameters<typeof makePod>[1]) => makePod(name, { nodeName: 'n1', ...o });

  it.each([
    { name: 'fits an empty node', pod: makePod('p', { cpu: '1', memory: '1Gi' }), existing: [], want: undefined },
    { name: 'exactly fills the node', pod: makePod('p', { cpu: '1', memory: '4Gi' }), existing: [on('a', { cpu: '3', memory: '4Gi' })], want: undefined },
    { name: 'too little cpu left', pod: makePod('p', { cpu: '1' }), existing: [on('a', { cpu: '3500m' })], want: ['Insufficient cpu'] },
    { name: 'every shortage is reported', pod: makePod('p', { cpu: '2', memory: '5Gi' }), existing: [on('a', { cpu: '3', memory: '4Gi' })], want: ['Insufficient cpu', 'Insufficient memory'] },
    { name: 'ephemeral storage', pod: makePod('p', { requests: { 'ephemeral-storage': '20Gi' } }), existing: [], extra: { extra: { 'ephemeral-storage': '10Gi' } }, want: ['Insufficient ephemeral-storage'] },
    { name: 'pod slots run out', pod: makePod('p', { cpu: '100m' }), existing: [on('a', {})], extra: { pods: 1 }, want: ['Too many pods'] },
    { name: 'a GPU pod on a node without GPUs', pod: makePod('p', { requests: { 'nvidia.com/gpu': '1' } }), existing: [], want: ['Insufficient nvidia.com/gpu'] },
    { name: 'GPUs all taken', pod: makePod('p', { requests: { 'nvidia.com/gpu': '1' } }), existing: [on('a', { requests: { 'nvidia.com/gpu': '2' } })], extra: { extra: { 'nvidia.com/gpu': '2' } }, want: ['Insufficient nvidia.com/gpu'] },
    { name: 'a GPU left', pod: makePod('p', { requests: { 'nvidia.com/gpu': '1' } }), existing: [on('a', { requests: { 'nvidia.com/gpu': '1' } })], extra: { extra: { 'nvidia.com/gpu': '2' } }, want: undefined },
    { name: 'a pod requesting nothing fits an overcommitted node', pod: makePod('p'), existing: [on('a', { cpu: '5' })], want: undefined },
    { name: 'terminating pods still hold their resources', pod: makePod('p', { cpu: '1' }), existing: [on('a', { cpu: '4', deleting: true })], want: ['Insufficient cpu'] },
    {
      name: 'the largest init container counts when it exceeds the containers',
      pod: makePod('p', { cpu: '1', spec: { initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '3' } } }] } }),
      existing: [on('a', { cpu: '1500m' })],
      want: ['Insufficient cpu'],
    },
    {
      name: 'pod overhead counts',
      pod: makePod('p', { cpu: '2', spec: { overhead: { cpu: '1' } } }),
      existing: [on('a', { cpu: '1500m' })],
      want: ['Insufficient cpu'],
    },
  ])('$name', ({ pod, existing, extra, want }) => {
    const result = filterAll(nodeResourcesFit, pod, clusterOf([node(extra)], existing)).n1;
    expect(result?.reasons).toEqual(want);
    if (result) expect(result.unresolvable).toBe(false);
  });
});
