import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_IPAM, nextFreeCIDR } from './node-ipam.js';

describe('nextFreeCIDR', () => {
  it.each([
    [[], '10.244.0.0/24'],
    [['10.244.0.0/24'], '10.244.1.0/24'],
    [['10.244.0.0/24', '10.244.2.0/24'], '10.244.1.0/24'],
  ])('with %j taken gives %s', (taken, expected) => {
    expect(nextFreeCIDR(DEFAULT_NODE_IPAM, new Set(taken))).toBe(expected);
  });

  it('gives nothing when the cluster CIDR is used up', () => {
    const cfg = { clusterCIDR: '10.0.0.0/23', nodeMaskSize: 24 };
    expect(nextFreeCIDR(cfg, new Set(['10.0.0.0/24', '10.0.1.0/24']))).toBeUndefined();
  });
});
