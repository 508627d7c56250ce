import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../registry.js';
import { clusterRoleBindingTable, roleBindingTable } from './rbac.js';
import { podDisruptionBudgetTable } from './policy.js';
import { defaultTable, tableFor, tables } from './index.js';

const now = new Date('2024-05-01T12:00:00Z');

/** Kinds upstream prints with the default table, and the one kind that is never listed. */
const DEFAULT_PRINTED = ['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', 'core/limitranges', 'authorization.k8s.io/selfsubjectaccessreviews', 'authentication.k8s.io/tokenreviews'];

describe('tables', () => {
  it('has a printer for every stored kind of the registry except the default-printed ones', () => {
    const storage = [...new Set(RESOURCES.map((r) => r.storage))];
    for (const key of storage) expect(Object.hasOwn(tables, key) || DEFAULT_PRINTED.includes(key), key).toBe(true);
    for (const key of Object.keys(tables)) expect(storage, key).toContain(key);
    for (const key of DEFAULT_PRINTED) expect(tableFor(key)).toBe(defaultTable);
  });

  it('gives every printer a name column and one cell per column', () => {
    for (const [key, table] of Object.entries(tables)) {
      expect(table.columns.filter((c) => c.format === 'name').map((c) => c.name), key).toEqual(['Name']);
      for (const c of table.columns) {
        expect(c.description.length, `${key} ${c.name}`).toBeGreaterThan(0);
        expect([0, 1], `${key} ${c.name}`).toContain(c.priority);
      }
      expect(table.row({ metadata: { name: 'x' } }, now), key).toHaveLength(table.columns.length);
    }
  });
});

describe('defaultTable', () => {
  it('prints Name and Created At like upstream', () => {
    expect(defaultTable.columns.map((c) => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ]);
    expect(defaultTable.row({ metadata: { name: 'admin', creationTimestamp: '2024-04-30T08:15:30.250Z' } }, now)).toEqual(['admin', '2024-04-30T08:15:30Z']);
    expect(defaultTable.row({ metadata: { name: 'x' } }, now)).toEqual(['x', '0001-01-01T00:00:00Z']);
  });
});

describe('rbac and policy printers', () => {
  it('prints role bindings with their subjects', () => {
    expect(roleBindingTable.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual(['Name', 'Role', 'Age', 'Users*', 'Groups*', 'ServiceAccounts*']);
    expect(roleBindingTable.columns[3]!.description).toBe('Users in the roleBinding');
    expect(clusterRoleBindingTable.columns[5]!.description).toBe('ServiceAccounts in the clusterRoleBinding');
    const binding = {
      metadata: { name: 'admins', creationTimestamp: '2024-05-01T11:00:00Z' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'Group', name: 'ops' },
        { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' },
        { kind: 'User', name: 'bob' },
      ],
    };
    expect(clusterRoleBindingTable.row(binding, now)).toEqual(['admins', 'ClusterRole/admin', '60m', 'alice, bob', 'ops', 'ci/deployer']);
  });

  it('prints disruption budgets', () => {
    expect(podDisruptionBudgetTable.row({ metadata: { name: 'web' }, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, now)).toEqual(['web', '2', 'N/A', 1, '<unknown>']);
    expect(podDisruptionBudgetTable.row({ metadata: { name: 'web' }, spec: { maxUnavailable: '25%' } }, now)).toEqual(['web', 'N/A', '25%', 0, '<unknown>']);
  });
});
