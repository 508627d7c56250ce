import { describe, expect, it } from 'vitest';
import { defaultBinding } from '../defaults/rbac.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.js';

const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

describe('Role and ClusterRole', () => {
  const role = (rules: any[]) => ({ metadata: { name: 'reader', namespace: 'd' }, rules });
  it('accepts resource rules, and non-resource rules in cluster roles', () => {
    expect(validateRole(role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]))).toEqual([]);
    expect(validateClusterRole({ metadata: { name: 'system:metrics' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] })).toEqual([]);
  });
  it.each<[string, any, [string, string][]]>([
    ['no verbs', { apiGroups: [''], resources: ['pods'] }, [['FieldValueRequired', 'rules[0].verbs']]],
    ['no api groups', { resources: ['pods'], verbs: ['get'] }, [['FieldValueRequired', 'rules[0].apiGroups']]],
    ['no resources', { apiGroups: [''], verbs: ['get'] }, [['FieldValueRequired', 'rules[0].resources']]],
    ['non-resource URL in a namespaced role', { nonResourceURLs: ['/healthz'], verbs: ['get'] }, [['FieldValueInvalid', 'rules[0].nonResourceURLs']]],
  ])('%s', (_, rule, expected) => {
    expect(kinds(validateRole(role([rule])))).toEqual(expected);
  });
  it('words rule errors as upstream', () => {
    expect(validateRole(role([{ apiGroups: [''], resources: ['pods'] }]))[0]!.message).toBe('Required value: verbs must contain at least one value');
  });
  it('refuses a cluster role with an empty aggregation rule', () => {
    expect(kinds(validateClusterRole({ metadata: { name: 'agg' }, aggregationRule: {} }))).toEqual([['FieldValueRequired', 'aggregationRule.clusterRoleSelectors']]);
  });
});

describe('RoleBinding and ClusterRoleBinding', () => {
  function binding(before?: (b: any) => void, namespace: string | null = 'd'): any {
    const b: any = {
      metadata: { name: 'readers', ...(namespace ? { namespace } : {}) },
      roleRef: { kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'd' }],
    };
    before?.(b);
    defaultBinding(b);
    return b;
  }
  it('accepts a defaulted binding', () => {
    expect(validateRoleBinding(binding())).toEqual([]);
  });
  it.each<[string, (b: any) => void, [string, string][]]>([
    ['roleRef to a Deployment', (b) => (b.roleRef.kind = 'Deployment'), [['FieldValueNotSupported', 'roleRef.kind']]],
    ['roleRef without a name', (b) => delete b.roleRef.name, [['FieldValueRequired', 'roleRef.name']]],
    ['roleRef in another group', (b) => (b.roleRef.apiGroup = 'apps'), [['FieldValueNotSupported', 'roleRef.apiGroup']]],
    ['unknown subject kind', (b) => (b.subjects = [{ kind: 'Robot', name: 'r2' }]), [['FieldValueNotSupported', 'subjects[0].kind']]],
    ['subject without a name', (b) => (b.subjects = [{ kind: 'User' }]), [['FieldValueRequired', 'subjects[0].name']]],
    ['user in the core group', (b) => (b.subjects = [{ kind: 'User', name: 'alice', apiGroup: 'v1' }]), [['FieldValueNotSupported', 'subjects[0].apiGroup']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateRoleBinding(binding(before)))).toEqual(expected);
  });
  it('requires a namespace for service accounts in cluster role bindings', () => {
    const crb = binding((b) => {
      b.roleRef.kind = 'ClusterRole';
      b.subjects = [{ kind: 'ServiceAccount', name: 'bot' }];
    }, null);
    expect(kinds(validateClusterRoleBinding(crb))).toEqual([['FieldValueRequired', 'subjects[0].namespace']]);
    expect(kinds(validateClusterRoleBinding(binding(undefined, null)))).toEqual([['FieldValueNotSupported', 'roleRef.kind']]);
  });
  it('keeps roleRef immutable', () => {
    const errs = validateRoleBinding(binding((b) => (b.roleRef.name = 'writer')), binding());
    expect(kinds(errs)).toEqual([['FieldValueInvalid', 'roleRef']]);
    expect(errs[0]!.message).toBe('Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"writer"}: cannot change roleRef');
  });
});
