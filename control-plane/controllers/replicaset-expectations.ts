/**
 * Controller expectations, as upstream's UIDTrackingControllerExpectations: what a controller is
 * waiting to see in its informer after it created or deleted pods. While a key has unmet
 * expectations the controller must not create or delete again from its (lagging) cache, or it
 * would act twice on the same shortfall. Creations are counted; deletions are tracked per pod key
 * so that a pod seen first as terminating and then as deleted counts once. Expectations expire
 * after a while (5 minutes upstream) so that a lost event cannot wedge a controller.
 * In-memory, synchronous, not shared between processes.
 */

export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** Pod keys whose deletion is awaited. */
  deleting: Set<string>;
  setAtMs: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  /**
   * Whether the controller may act on `key` from its cache: nothing is awaited, everything
   * awaited was seen, or the expectations expired. A key never recorded is satisfied.
   */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.setAtMs > this.ttlMs;
  }

  /** Expects `count` pod creations for `key` (replacing what was expected before). */
  expectCreations(key: string, count: number): void {
    this.byKey.set(key, { add: count, del: 0, deleting: new Set(), setAtMs: this.now() });
  }

  /** Expects the deletion of these pods (keys `namespace/name`) for `key`. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.byKey.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), setAtMs: this.now() });
  }

  /** One awaited creation was seen, or will never happen (a create that failed or was skipped). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** The pod was seen deleted (or terminating), or its delete failed; counts once per pod. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byKey.get(key);
    if (e?.deleting.delete(podKey)) e.del--;
  }

  /** Forgets `key` (its controller object is gone). */
  delete(key: string): void {
    this.byKey.delete(key);
  }
}
