/**
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and ClusterRoleBinding
 * (`kubectl create role|clusterrole|rolebinding|clusterrolebinding`).
 */
import { f, list, message } from './fields.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta.js';

const POLICY_RULE = message({
  1: list('verbs', 'string'),
  2: list('apiGroups', 'string'),
  3: list('resources', 'string'),
  4: list('resourceNames', 'string'),
  5: list('nonResourceURLs', 'string'),
});

export const ROLE = message({ 1: f('metadata', OBJECT_META), 2: list('rules', POLICY_RULE) });

export const CLUSTER_ROLE = message({
  1: f('metadata', OBJECT_META),
  2: list('rules', POLICY_RULE),
  3: f('aggregationRule', message({ 1: list('clusterRoleSelectors', LABEL_SELECTOR) })),
});

/** RoleBinding and ClusterRoleBinding. */
export const ROLE_BINDING = message({
  1: f('metadata', OBJECT_META),
  2: list('subjects', message({ 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') })),
  3: f('roleRef', message({ 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') })),
});
