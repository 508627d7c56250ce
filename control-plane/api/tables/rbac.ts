/** Printers of RoleBinding and ClusterRoleBinding (Roles and ClusterRoles print with the default table, as upstream). */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';

/** Users, groups and `namespace/name` service accounts among the subjects, each joined by ', '. */
function subjectCells(subjects: any[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s.kind === 'User') users.push(s.name ?? '');
    else if (s.kind === 'Group') groups.push(s.name ?? '');
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingTable(kind: string, roleRefDoc: string): TableDef {
  return {
    columns: [
      NAME_COLUMN,
      column('Role', 'string', roleRefDoc),
      AGE_COLUMN,
      column('Users', 'string', `Users in the ${kind}`, 1),
      column('Groups', 'string', `Groups in the ${kind}`, 1),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, 1),
    ],
    row(binding, now) {
      const ref = binding.roleRef ?? {};
      return [nameOf(binding), `${ref.kind ?? ''}/${ref.name ?? ''}`, ageOf(binding, now), ...subjectCells(binding.subjects)];
    },
  };
}

export const roleBindingTable = bindingTable('roleBinding', DOC['RoleBinding.roleRef']);
export const clusterRoleBindingTable = bindingTable('clusterRoleBinding', DOC['ClusterRoleBinding.roleRef']);
