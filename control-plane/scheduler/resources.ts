/**
 * Resource arithmetic of the scheduler, as upstream's framework.Resource: cpu in millicores,
 * memory and ephemeral storage in bytes, and scalar resources (extended resources such as
 * `nvidia.com/gpu`, `hugepages-*`) as integers, all plain numbers. Quantities are parsed once per
 * distinct text and remembered.
 */
import { milliValue, parseQuantity } from '../api/quantity.js';

/** Requests of a container that sets none, for scoring only (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  /** Scalar resources by name; undefined until one is set. */
  scalars: Map<string, number> | undefined;

  scalar(name: string): number {
    return this.scalars?.get(name) ?? 0;
  }

  /** Adds `other` (times `sign`, ±1) to this resource. */
  add(other: Resource, sign = 1): void {
    this.milliCPU += sign * other.milliCPU;
    this.memory += sign * other.memory;
    this.ephemeralStorage += sign * other.ephemeralStorage;
    if (other.scalars) {
      this.scalars ??= new Map();
      for (const [name, v] of other.scalars) this.scalars.set(name, (this.scalars.get(name) ?? 0) + sign * v);
    }
  }

  /** Raises each dimension to `other`'s where that is larger. */
  max(other: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, other.milliCPU);
    this.memory = Math.max(this.memory, other.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, other.ephemeralStorage);
    if (other.scalars) {
      this.scalars ??= new Map();
      for (const [name, v] of other.scalars) this.scalars.set(name, Math.max(this.scalars.get(name) ?? 0, v));
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }

  /** True when nothing is requested in any dimension. */
  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    for (const v of this.scalars?.values() ?? []) if (v !== 0) return false;
    return true;
  }
}

/**
 * Whether upstream schedules `name` as a scalar resource: an extended resource (a qualified name
 * with a domain outside kubernetes.io, not a quota `requests.` name), hugepages or attachable volumes.
 */
export function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

const parsed = new Map<string, number>();
const MEMO_LIMIT = 10_000;

function memo(key: string, compute: () => number): number {
  let v = parsed.get(key);
  if (v === undefined) {
    try {
      v = compute();
    } catch {
      v = 0; // validation refuses malformed quantities; count anything else as nothing
    }
    if (parsed.size >= MEMO_LIMIT) parsed.clear();
    parsed.set(key, v);
  }
  return v;
}

/** A quantity's milli-value (cpu). */
export function milli(q: string | number): number {
  return memo(`m:${q}`, () => milliValue(q));
}

/** A quantity's value in whole base units, rounded up as upstream's Value(). */
export function whole(q: string | number): number {
  return memo(`v:${q}`, () => Math.ceil(parseQuantity(q)));
}

/** A core/v1 ResourceList (`{cpu: '100m', memory: '1Gi', …}`) as a Resource; `pods` is left out. */
export function resourceOf(list: Record<string, string | number> | undefined): Resource {
  const r = new Resource();
  if (!list) return r;
  for (const name in list) {
    const q = list[name]!;
    switch (name) {
      case 'cpu':
        r.milliCPU += milli(q);
        break;
      case 'memory':
        r.memory += whole(q);
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage += whole(q);
        break;
      default:
        if (isScalarResource(name)) (r.scalars ??= new Map()).set(name, (r.scalars.get(name) ?? 0) + whole(q));
    }
  }
  return r;
}

/** A container's requests; with `nonZero`, missing cpu/memory requests count as upstream's defaults. */
function containerRequests(c: any, nonZero: boolean): Resource {
  const requests = c?.resources?.requests;
  const r = resourceOf(requests);
  if (nonZero) {
    if (requests?.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (requests?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * What a pod asks of a node, as upstream's resource.PodRequests: the sum over its containers and
 * restartable (sidecar) init containers, raised to the largest need of any init container while it
 * runs beside the sidecars started before it, plus spec.overhead. With `nonZero`, containers that
 * request no cpu or memory count as 100m / 200Mi (used to score, never to filter).
 */
export function podRequests(spec: any, nonZero = false): Resource {
  const total = new Resource();
  for (const c of spec?.containers ?? []) total.add(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initPeak = new Resource();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c?.restartPolicy === 'Always') {
      sidecars.add(r);
      initPeak.max(sidecars);
    } else {
      r.add(sidecars);
      initPeak.max(r);
    }
  }
  total.add(sidecars);
  total.max(initPeak);
  if (spec?.overhead) total.add(resourceOf(spec.overhead));
  return total;
}
