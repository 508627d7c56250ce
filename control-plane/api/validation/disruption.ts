/**
 * policy/v1 PodDisruptionBudgets: minAvailable or maxUnavailable (not both), each a non-negative
 * integer or a percentage up to 100%, a valid selector and a known unhealthy-pod eviction policy.
 */
import type { FieldError } from '../status.js';
import { Path, invalid, notSupported } from './field.js';
import { isSet, record } from './json.js';
import { subdomainName, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { notMoreThan100Percent, validateIntOrPercent } from './workloads.js';

const SPEC = Path.root('spec');

export function validatePodDisruptionBudget(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const errs = old === undefined ? validateObjectMeta(obj?.metadata, { namespaced: true, name: subdomainName }) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) errs.push(invalid(SPEC, spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    if (!isSet(spec[field])) continue;
    errs.push(...validateIntOrPercent(spec[field], SPEC.child(field)), ...notMoreThan100Percent(spec[field], SPEC.child(field)));
  }
  errs.push(...validateLabelSelector(spec.selector, SPEC.child('selector')));
  if (isSet(spec.unhealthyPodEvictionPolicy) && !['AlwaysAllow', 'IfHealthyBudget'].includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported(SPEC.child('unhealthyPodEvictionPolicy'), spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}
