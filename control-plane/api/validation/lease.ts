/** coordination.k8s.io/v1 Leases: a positive duration and a non-negative transition count. */
import type { FieldError } from '../status.js';
import { Path, invalid } from './field.js';
import { record } from './json.js';
import { subdomainName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const SPEC = Path.root('spec');

export function validateLease(obj: any, old?: any): FieldError[] {
  const errs = old === undefined ? validateObjectMeta(obj?.metadata, { namespaced: true, name: subdomainName }) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  const spec = record(obj?.spec);
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid(SPEC.child('leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    errs.push(invalid(SPEC.child('leaseTransitions'), spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}
