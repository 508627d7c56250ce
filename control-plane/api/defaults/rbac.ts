/** RBAC binding defaults: roleRef and User/Group subjects in the rbac.authorization.k8s.io group, ServiceAccounts in the core group. */
import { child, eachObject, isObject } from './fields.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultBinding(obj: any): void {
  if (!isObject(obj)) return;
  const ref = child(obj, 'roleRef');
  if (ref && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  eachObject(obj, 'subjects', (s) => {
    if (s.apiGroup) return;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  });
}
