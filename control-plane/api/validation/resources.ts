/**
 * Resource names and quantities as upstream's core validation checks them: container resource
 * requirements (names, non-negative quantities, requests <= limits, extended resources not
 * overcommitted), quota and limit-range resource names, and quantity syntax.
 */
import { qualifiedName } from '../names.js';
import { canonicalQuantity, parseQuantity } from '../quantity.js';
import type { FieldError } from '../status.js';
import { Path, Shown, forbidden, invalid, required } from './field.js';
import { NEGATIVE_MESSAGE } from './meta.js';
import { isSet, record, sortedEntries } from './json.js';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'persistentvolumeclaims', 'configmaps',
  'services.nodeports', 'services.loadbalancers', 'storage', 'requests.storage',
]);
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'persistentvolumeclaims', 'configmaps',
  'services.nodeports', 'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isQuotaHugePages(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

/** Built into Kubernetes: unprefixed or in the kubernetes.io domain. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** A vendor resource such as `nvidia.com/gpu`. */
export function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return qualifiedName(`requests.${name}`).length === 0;
}

/** Requests may be below limits (cpu, memory, ...); extended resources and hugepages must match. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePages(name);
}

function isIntegerResource(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResource(name);
}

/** Parses a quantity, or reports it invalid with upstream's decode message at `path`. */
export function quantityValue(value: unknown, path: Path, errs: FieldError[]): number | undefined {
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error('quantities must be a string or a number');
    return parseQuantity(value);
  } catch (e) {
    errs.push(invalid(path, value ?? null, (e as Error).message));
    return undefined;
  }
}

/** Upstream's Quantity.String(): the canonical form, as errors print limits and bad values. */
export function shownQuantity(value: unknown): string {
  try {
    return canonicalQuantity(value as string | number);
  } catch {
    return String(value);
  }
}

/** A quantity for a resource: valid, not negative, whole for countable resources. */
export function validateResourceQuantity(resource: string, value: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const v = quantityValue(value, path, errs);
  if (v === undefined) return errs;
  if (v < 0) errs.push(invalid(path, shownQuantity(value), NEGATIVE_MESSAGE));
  if (isIntegerResource(resource) && !Number.isInteger(v)) errs.push(invalid(path, new Shown(shownQuantity(value)), 'must be an integer'));
  return errs;
}

/** Any resource name: qualified, and standard unless domain-prefixed. */
export function validateResourceName(name: string, path: Path): FieldError[] {
  const errs = qualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isQuotaHugePages(name)) {
    return [invalid(path, name, 'must be a standard resource type or fully qualified')];
  }
  return [];
}

/** A container resource: cpu, memory, ephemeral-storage, hugepages-*, or an extended resource. */
export function validateContainerResourceName(name: string, path: Path): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateQuotaResourceName(name: string, path: Path): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !STANDARD_QUOTA_RESOURCES.has(name) && !isQuotaHugePages(name)) {
    errs.push(invalid(path, name, 'must be a standard resource for quota'));
  }
  return errs;
}

/**
 * A container's `resources`: names, quantities, and each request at most its limit (equal to it
 * for resources that cannot be overcommitted, which also need a limit).
 */
export function validateResourceRequirements(resources: unknown, path: Path): FieldError[] {
  const r = record(resources);
  const limits = record(r.limits);
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, q] of sortedEntries(limits)) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p), ...validateResourceQuantity(name, q, p));
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
  }
  for (const [name, q] of sortedEntries(r.requests)) {
    const p = reqPath.key(name);
    const quantityErrs = validateResourceQuantity(name, q, p);
    errs.push(...validateContainerResourceName(name, p), ...quantityErrs);
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
    if (quantityErrs.length) continue;
    if (isSet(limits[name])) {
      const limitErrs: FieldError[] = [];
      const limit = quantityValue(limits[name], p, limitErrs);
      if (limit === undefined) continue;
      const request = parseQuantity(q);
      const shownLimit = shownQuantity(limits[name]);
      if (request !== limit && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, shownQuantity(q), `must be equal to ${name} limit of ${shownLimit}`));
      } else if (request > limit) {
        errs.push(invalid(reqPath, shownQuantity(q), `must be less than or equal to ${name} limit of ${shownLimit}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  if (hugePages && !cpuOrMemory) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
