import { describe, expect, it } from 'vitest';
import { clusterOf, filterAll, makeNode, makePod } from '../test-fixtures.js';
import { nodePorts } from './node-ports.js';

const CONFLICT = ["node(s) didn't have free ports for the requested pod ports"];

describe('NodePorts', () => {
  it.each([
    { name: 'no host ports', want: [{}], used: [{ hostPort: 80 }], expected: undefined },
    { name: 'a free port', want: [{ containerPort: 80, hostPort: 8080 }], used: [{ containerPort: 80, hostPort: 80 }], expected: undefined },
    { name: 'the same port', want: [{ hostPort: 80 }], used: [{ hostPort: 80 }], expected: CONFLICT },
    { name: 'the same port, another protocol', want: [{ hostPort: 53, protocol: 'UDP' }], used: [{ hostPort: 53 }], expected: undefined },
    { name: 'different host IPs', want: [{ hostPort: 80, hostIP: '10.0.0.1' }], used: [{ hostPort: 80, hostIP: '10.0.0.2' }], expected: undefined },
    { name: 'a specific IP against 0.0.0.0', want: [{ hostPort: 80, hostIP: '10.0.0.1' }], used: [{ hostPort: 80 }], expected: CONFLICT },
    { name: '0.0.0.0 against a specific IP', want: [{ hostPort: 80 }], used: [{ hostPort: 80, hostIP: '10.0.0.2' }], expected: CONFLICT },
  ])('$name', ({ want, used, expected }) => {
    const existing = makePod('a', { nodeName: 'n', ports: used });
    const pod = makePod('p', { ports: want.map((p) => ({ containerPort: 80, ...p })) });
    expect(filterAll(nodePorts, pod, clusterOf([makeNode('n')], [existing])).n?.reasons).toEqual(expected);
  });

  it('frees the port when its pod leaves', () => {
    const existing = makePod('a', { nodeName: 'n', ports: [{ containerPort: 80, hostPort: 80 }] });
    const cluster = clusterOf([makeNode('n')], [existing]);
    cluster.removePod(existing.metadata.uid);
    expect(filterAll(nodePorts, makePod('p', { ports: [{ containerPort: 80, hostPort: 80 }] }), cluster).n).toBeUndefined();
  });
});
