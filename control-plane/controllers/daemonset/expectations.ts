/**
 * What a DaemonSet's last sync did and its informer has not shown yet (upstream's controller
 * expectations): pods it created that the cache does not hold, and pods it deleted that the cache
 * still shows running. Until the cache has caught up, a sync must not act on it (it would create a
 * second pod on a node, or count a deleted pod as available). Checked against the cache itself, so
 * missed events cannot wedge it; entries expire after five minutes, as upstream's.
 */

const EXPIRY_MS = 5 * 60_000;

interface Pending {
  /** `namespace/name` of pods created and not yet seen. */
  creates: Set<string>;
  /** `namespace/name` of pods deleted and still seen without a deletionTimestamp. */
  deletes: Set<string>;
  since: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly now: () => number = Date.now) {}

  private entry(key: string): Pending {
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { creates: new Set(), deletes: new Set(), since: this.now() }));
    p.since = this.now();
    return p;
  }

  expectCreate(key: string, podKey: string): void {
    this.entry(key).creates.add(podKey);
  }

  expectDelete(key: string, podKey: string): void {
    this.entry(key).deletes.add(podKey);
  }

  /**
   * Whether the cache reflects everything expected for `key`; `lookup` reads a pod from the cache.
   * Settled entries are dropped on the way.
   */
  satisfied(key: string, lookup: (podKey: string) => any | undefined): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    for (const k of p.creates) if (lookup(k)) p.creates.delete(k);
    for (const k of p.deletes) {
      const pod = lookup(k);
      if (!pod || pod.metadata.deletionTimestamp) p.deletes.delete(k);
    }
    if ((p.creates.size === 0 && p.deletes.size === 0) || this.now() - p.since > EXPIRY_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
