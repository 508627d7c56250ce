/**
 * Expectations, as client-go controllers keep them: what a controller has asked of the API but not
 * yet seen in its informer cache. A Job whose pod creations or deletions are still unseen is not
 * managed again (the cache would undercount and the controller would create too many pods), and a
 * pod whose tracking finalizer removal is unseen is not counted again. Expectations expire after
 * `ttlMs` so that a lost watch event cannot block a Job forever.
 */
interface Pending {
  adds: number;
  deletes: number;
  since: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();
  private readonly finalizerRemovals = new Map<string, Set<string>>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records that `adds` creations and `deletes` deletions were requested for `key`. */
  expect(key: string, adds: number, deletes: number): void {
    const p = this.pending.get(key);
    if (p && (p.adds > 0 || p.deletes > 0) && !this.expired(p)) {
      p.adds += adds;
      p.deletes += deletes;
    } else {
      this.pending.set(key, { adds, deletes, since: this.now() });
    }
  }

  /** A pod creation of `key` was seen (or a requested one failed). */
  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p && p.adds > 0) p.adds--;
  }

  /** A pod deletion of `key` was seen (or a requested one failed). */
  deletionObserved(key: string): void {
    const p = this.pending.get(key);
    if (p && p.deletes > 0) p.deletes--;
  }

  /** Whether every requested creation and deletion of `key` has been seen (or they expired). */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    return !p || (p.adds <= 0 && p.deletes <= 0) || this.expired(p);
  }

  /** Records finalizer removals requested for pods (by uid) of `key`. */
  expectFinalizerRemovals(key: string, uids: string[]): void {
    if (uids.length === 0) return;
    let set = this.finalizerRemovals.get(key);
    if (!set) this.finalizerRemovals.set(key, (set = new Set()));
    for (const uid of uids) set.add(uid);
  }

  /** The removal for pod `uid` of `key` was seen, the pod is gone, or the request failed. */
  finalizerRemovalObserved(key: string, uid: string): void {
    const set = this.finalizerRemovals.get(key);
    set?.delete(uid);
    if (set?.size === 0) this.finalizerRemovals.delete(key);
  }

  /** Pods of `key` whose finalizer removal is requested but not yet seen. */
  pendingFinalizerRemovals(key: string): ReadonlySet<string> {
    return this.finalizerRemovals.get(key) ?? new Set();
  }

  /** Forgets everything about `key` (its Job is gone). */
  delete(key: string): void {
    this.pending.delete(key);
    this.finalizerRemovals.delete(key);
  }

  private expired(p: Pending): boolean {
    return this.now() - p.since > this.ttlMs;
  }
}
