import { describe, expect, it } from 'vitest';
import { leaseTable, namespaceTable, nodeTable, priorityClassTable } from './cluster.js';

const now = new Date('2024-05-10T12:00:00Z');
const meta = (name: string, labels?: Record<string, string>) => ({ name, labels, creationTimestamp: '2024-05-08T09:00:00Z' });

describe('nodeTable', () => {
  it('has upstream columns', () => {
    expect(nodeTable.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP*',
      'External-IP*',
      'OS-Image*',
      'Kernel-Version*',
      'Container-Runtime*',
    ]);
  });

  const info = { kubeletVersion: 'v1.33.1-tugboat', osImage: 'Ubuntu 24.04', kernelVersion: '6.8.0', containerRuntimeVersion: 'docker://27.0.1' };

  it.each([
    ['ready', { conditions: [{ type: 'Ready', status: 'True' }] }, {}, 'Ready'],
    ['not ready', { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'False' }] }, {}, 'NotReady'],
    ['unknown ready status', { conditions: [{ type: 'Ready', status: 'Unknown' }] }, {}, 'NotReady'],
    ['no ready condition', {}, {}, 'Unknown'],
    ['cordoned', { conditions: [{ type: 'Ready', status: 'True' }] }, { unschedulable: true }, 'Ready,SchedulingDisabled'],
  ])('%s', (_n, status, spec, want) => {
    expect(nodeTable.row({ metadata: meta('n1'), spec, status: { ...status, nodeInfo: info } }, now)[1]).toBe(want);
  });

  it('prints roles, version and the wide columns', () => {
    const node = {
      metadata: meta('n1', { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'gpu', 'node-role.kubernetes.io/': 'x' }),
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '192.168.1.10' },
        ],
        nodeInfo: info,
      },
    };
    expect(nodeTable.row(node, now)).toEqual(['n1', 'Ready', 'control-plane,gpu,worker', '2d3h', 'v1.33.1-tugboat', '192.168.1.10', '<none>', 'Ubuntu 24.04', '6.8.0', 'docker://27.0.1']);
    expect(nodeTable.row({ metadata: meta('n2') }, now).slice(2)).toEqual(['<none>', '2d3h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });
});

describe('namespaceTable, leaseTable, priorityClassTable', () => {
  it('prints a namespace', () => {
    expect(namespaceTable.row({ metadata: meta('default'), status: { phase: 'Active' } }, now)).toEqual(['default', 'Active', '2d3h']);
  });

  it('prints a lease holder', () => {
    expect(leaseTable.row({ metadata: meta('n1'), spec: { holderIdentity: 'n1' } }, now)).toEqual(['n1', 'n1', '2d3h']);
    expect(leaseTable.row({ metadata: meta('x'), spec: {} }, now)).toEqual(['x', '', '2d3h']);
  });

  it('prints a priority class', () => {
    expect(priorityClassTable.columns.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Value', 'integer'],
      ['Global-Default', 'boolean'],
      ['Age', 'string'],
      ['PreemptionPolicy', 'string'],
    ]);
    expect(priorityClassTable.row({ metadata: meta('high'), value: 1000000, globalDefault: true, preemptionPolicy: 'PreemptLowerPriority' }, now)).toEqual([
      'high',
      1000000,
      true,
      '2d3h',
      'PreemptLowerPriority',
    ]);
    expect(priorityClassTable.row({ metadata: meta('low'), value: -5 }, now)).toEqual(['low', -5, false, '2d3h', '']);
  });
});
