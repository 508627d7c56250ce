/**
 * scheduling.k8s.io/v1 PriorityClasses: user classes at most 1e9, `system-` names reserved for the
 * built-in classes, value and preemption policy fixed after creation.
 */
import type { FieldError } from '../status.js';
import { Path, forbidden } from './field.js';
import { record, text } from './json.js';
import { immutable, subdomainName, validateEnum, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

/** The highest value a user-defined PriorityClass may have. */
export const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_CLASSES: Record<string, number> = { 'system-node-critical': 2_000_001_000, 'system-cluster-critical': 2_000_000_000 };

function systemClassProblem(name: string, value: unknown, globalDefault: unknown): string | undefined {
  if (!(name in SYSTEM_CLASSES)) return `${name} is not a known system priority class`;
  if (value !== SYSTEM_CLASSES[name]) return `value of ${name} PriorityClass must be ${SYSTEM_CLASSES[name]}`;
  if (globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(obj: any, old?: any): FieldError[] {
  const pc = record(obj);
  const name = text(record(pc.metadata).name);
  if (old !== undefined) {
    const errs = validateObjectMetaUpdate(pc.metadata, old?.metadata);
    if (pc.value !== old?.value) errs.push(forbidden(Path.root('value'), 'may not be changed in an update.'));
    return errs.concat(immutable(pc.preemptionPolicy ?? null, old?.preemptionPolicy ?? null, Path.root('preemptionPolicy')));
  }
  const errs = validateObjectMeta(pc.metadata, { namespaced: false, name: subdomainName });
  if (name.startsWith('system-')) {
    const problem = systemClassProblem(name, pc.value, pc.globalDefault);
    if (problem) errs.push(forbidden(Path.root('metadata', 'name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`));
  } else if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_PRIORITY) {
    errs.push(forbidden(Path.root('value'), `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (pc.preemptionPolicy !== undefined && pc.preemptionPolicy !== null) {
    errs.push(...validateEnum(pc.preemptionPolicy, ['PreemptLowerPriority', 'Never'], Path.root('preemptionPolicy')));
  }
  return errs;
}
