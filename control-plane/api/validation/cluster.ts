/**
 * Namespaces and Nodes as upstream validates them: namespace names are DNS labels with valid
 * finalizers; nodes carry valid taints, non-negative capacity and pod CIDRs that may only be set
 * once (as may the provider ID).
 */
import { labelValue } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, duplicate, forbidden, invalid, notSupported, required } from './field.js';
import { CIDR_MESSAGE, parseCIDR } from './formats.js';
import { deepEqual, list, record, sortedEntries, text } from './json.js';
import { METADATA, labelName, subdomainName, validateFinalizerName, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from './meta.js';
import { validateResourceQuantity } from './resources.js';

export function validateNamespace(obj: any, old?: any): FieldError[] {
  if (old !== undefined) return validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  const errs = validateObjectMeta(obj?.metadata, { namespaced: false, name: labelName });
  const path = Path.root('spec', 'finalizers');
  for (const f of list(record(obj?.spec).finalizers)) errs.push(...validateFinalizerName(text(f), path));
  return errs;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Node taints; upstream reports them under `metadata.taints`, and so do we. */
function validateTaints(taints: unknown): FieldError[] {
  const path = METADATA.child('taints');
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list(taints).forEach((raw, i) => {
    const t = record(raw);
    const p = path.index(i);
    errs.push(...validateQualifiedName(text(t.key), p.child('key')));
    const problems = labelValue(text(t.value));
    if (problems.length) errs.push(invalid(p.child('value'), text(t.value), problems.join(';')));
    if (!text(t.effect)) errs.push(required(p.child('effect')));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
    const key = `${text(t.effect)}/${text(t.key)}`;
    if (seen.has(key)) errs.push(duplicate(p, t, 'taints must be unique by key and effect pair'));
    seen.add(key);
  });
  return errs;
}

function validateNodeResources(status: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['capacity', 'allocatable'] as const) {
    for (const [name, q] of sortedEntries(status[field])) errs.push(...validateResourceQuantity(name, q, Path.root('status', field, name)));
  }
  return errs;
}

function validatePodCIDRs(cidrs: unknown[]): FieldError[] {
  const path = Path.root('spec', 'podCIDRs');
  const errs: FieldError[] = [];
  const parsed = cidrs.map((c, i) => {
    const p = parseCIDR(text(c));
    if (!p) errs.push(invalid(path.index(i), c, CIDR_MESSAGE));
    return p;
  });
  if (cidrs.length > 1 && errs.length === 0) {
    if (cidrs.length > 2 || parsed[0]!.family === parsed[1]!.family) errs.push(invalid(path, cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(text(c))) errs.push(duplicate(path.index(i), c));
      seen.add(text(c));
    });
  }
  return errs;
}

export function validateNode(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const status = record(obj?.status);
  const errs = old === undefined ? validateObjectMeta(obj?.metadata, { namespaced: false, name: subdomainName }) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  errs.push(...validateTaints(spec.taints), ...validateNodeResources(status));
  if (list(spec.podCIDRs).length > 0) errs.push(...validatePodCIDRs(list(spec.podCIDRs)));
  if (old === undefined) return errs;
  const oldSpec = record(old?.spec);
  const seen = new Set<string>();
  list(status.addresses).forEach((a, i) => {
    const key = JSON.stringify([record(a).type, record(a).address]);
    if (seen.has(key)) errs.push(duplicate(Path.root('status', 'addresses').index(i), a));
    seen.add(key);
  });
  if (list(oldSpec.podCIDRs).length > 0 && !deepEqual(spec.podCIDRs, oldSpec.podCIDRs)) {
    errs.push(forbidden(Path.root('spec', 'podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
  }
  if (text(oldSpec.providerID) && oldSpec.providerID !== spec.providerID) {
    errs.push(forbidden(Path.root('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  if (text(spec.externalID) !== text(oldSpec.externalID)) errs.push(forbidden(Path.root('spec', 'externalID'), 'may not be updated'));
  return errs;
}
