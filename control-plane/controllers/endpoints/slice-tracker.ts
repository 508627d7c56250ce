/**
 * What the EndpointSlice controller last wrote, per Service, as upstream's EndpointSliceTracker: a
 * reconcile on an informer cache that has not seen those writes yet would create duplicate slices,
 * so it waits (`stale`); and the informer events of the controller's own writes need no new sync
 * (`isOwnWrite`). resourceVersions are compared as numbers: Tugboat's are one global counter.
 * Expectations not met within `ttlMs` (a slice someone else deleted before the cache saw the write)
 * are dropped.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** resourceVersion written, or DELETED. */
const DELETED = -1n;

interface Expectation {
  rv: bigint;
  at: number;
}

const rvOf = (slice: EndpointSlice) => BigInt(slice.metadata?.resourceVersion || '0');

export class SliceTracker {
  private readonly byService = new Map<string, Map<string, Expectation>>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  private expectations(serviceKey: string): Map<string, Expectation> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map()));
    return m;
  }

  /** Records a slice as the API answered a create or update. */
  written(serviceKey: string, slice: EndpointSlice): void {
    this.expectations(serviceKey).set(slice.metadata!.name!, { rv: rvOf(slice), at: this.now() });
  }

  /** Records a slice this controller deleted. */
  deleted(serviceKey: string, name: string): void {
    this.expectations(serviceKey).set(name, { rv: DELETED, at: this.now() });
  }

  /** Whether an informer event shows exactly what this controller wrote (or deleted). */
  isOwnWrite(serviceKey: string, slice: EndpointSlice, deletedEvent: boolean): boolean {
    const e = this.byService.get(serviceKey)?.get(slice.metadata!.name!);
    if (!e) return false;
    return deletedEvent ? e.rv === DELETED : e.rv === rvOf(slice);
  }

  /**
   * True while `cached` (the informer's slices of the Service) lacks a write of this controller.
   * Met expectations are forgotten.
   */
  stale(serviceKey: string, cached: EndpointSlice[]): boolean {
    const m = this.byService.get(serviceKey);
    if (!m) return false;
    const byName = new Map(cached.map((s) => [s.metadata!.name!, s]));
    let stale = false;
    for (const [name, e] of m) {
      const seen = byName.get(name);
      const met = e.rv === DELETED ? !seen : !!seen && rvOf(seen) >= e.rv;
      if (met || this.now() - e.at > this.ttlMs) m.delete(name);
      else stale = true;
    }
    if (m.size === 0) this.byService.delete(serviceKey);
    return stale;
  }

  forget(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }
}
