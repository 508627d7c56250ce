/**
 * rbac.authorization.k8s.io/v1 Roles, ClusterRoles, RoleBindings and ClusterRoleBindings as
 * upstream validates them: rules need verbs plus either apiGroups and resources or (cluster rules
 * only) nonResourceURLs; bindings need a valid, immutable roleRef and well-formed subjects.
 * Names are path segments. Expects defaulted bindings (roleRef and subject apiGroups filled).
 */
import type { FieldError } from '../status.js';
import { Path, Shown, invalid, invalidEach, notSupported, required } from './field.js';
import { pathSegmentName } from './formats.js';
import { list, record, text } from './json.js';
import { type MetaRules, pathSegment, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { dns1123Subdomain } from '../names.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateRule(raw: unknown, namespaced: boolean, path: Path): FieldError[] {
  const rule = record(raw);
  const errs: FieldError[] = [];
  if (list(rule.verbs).length === 0) errs.push(required(path.child('verbs'), 'verbs must contain at least one value'));
  const urls = list(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(path.child('nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (list(rule.apiGroups).length > 0 || list(rule.resources).length > 0 || list(rule.resourceNames).length > 0) {
      errs.push(invalid(path.child('nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (list(rule.apiGroups).length === 0) errs.push(required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (list(rule.resources).length === 0) errs.push(required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: unknown, namespaced: boolean): FieldError[] {
  return list(rules).flatMap((r, i) => validateRule(r, namespaced, Path.root('rules').index(i)));
}

function meta(obj: any, old: any, rules: MetaRules): FieldError[] {
  return old === undefined ? validateObjectMeta(obj?.metadata, rules) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
}

export function validateRole(obj: any, old?: any): FieldError[] {
  return [...meta(obj, old, { namespaced: true, name: pathSegment }), ...validateRules(obj?.rules, true)];
}

export function validateClusterRole(obj: any, old?: any): FieldError[] {
  const errs = [...meta(obj, old, { namespaced: false, name: pathSegment }), ...validateRules(obj?.rules, false)];
  if (obj?.aggregationRule !== undefined && obj?.aggregationRule !== null) {
    const selectorsPath = Path.root('aggregationRule', 'clusterRoleSelectors');
    const selectors = list(record(obj.aggregationRule).clusterRoleSelectors);
    if (selectors.length === 0) errs.push(required(selectorsPath, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, selectorsPath.index(i))));
  }
  return errs;
}

/** A binding subject; ServiceAccounts in ClusterRoleBindings must name their namespace. */
function validateSubject(raw: unknown, namespaced: boolean, path: Path): FieldError[] {
  const s = record(raw);
  const errs: FieldError[] = [];
  const name = text(s.name);
  if (!name) errs.push(required(path.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...invalidEach(path.child('name'), name, dns1123Subdomain(name)));
      if (text(s.apiGroup)) errs.push(notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !text(s.namespace)) errs.push(required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(path.child('apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(path.child('kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** Go's %#v of an rbac.RoleRef, as "cannot change roleRef" prints it. */
function goRoleRef(ref: Record<string, any>): Shown {
  return new Shown(`rbac.RoleRef{APIGroup:${JSON.stringify(text(ref.apiGroup))}, Kind:${JSON.stringify(text(ref.kind))}, Name:${JSON.stringify(text(ref.name))}}`);
}

function validateBinding(obj: any, old: any, namespaced: boolean): FieldError[] {
  const errs = meta(obj, old, { namespaced, name: pathSegment });
  const ref = record(obj?.roleRef);
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported(Path.root('roleRef', 'apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported(Path.root('roleRef', 'kind'), ref.kind ?? '', kinds));
  const name = text(ref.name);
  if (!name) errs.push(required(Path.root('roleRef', 'name')));
  else errs.push(...invalidEach(Path.root('roleRef', 'name'), name, pathSegmentName(name)));
  list(obj?.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, Path.root('subjects').index(i))));
  if (old !== undefined) {
    const oldRef = record(old?.roleRef);
    if (text(oldRef.apiGroup) !== text(ref.apiGroup) || text(oldRef.kind) !== text(ref.kind) || text(oldRef.name) !== text(ref.name)) {
      errs.push(invalid(Path.root('roleRef'), goRoleRef(ref), 'cannot change roleRef'));
    }
  }
  return errs;
}

export function validateRoleBinding(obj: any, old?: any): FieldError[] {
  return validateBinding(obj, old, true);
}

export function validateClusterRoleBinding(obj: any, old?: any): FieldError[] {
  return validateBinding(obj, old, false);
}
