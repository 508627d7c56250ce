/**
 * When a pod must leave a node with NoExecute taints, as upstream's taint eviction controller
 * decides: at once if some taint is not tolerated; after the shortest tolerationSeconds of the
 * tolerations in use (counted from when the controller first saw the pod under the taints); never
 * if those tolerations have no tolerationSeconds. Pure functions.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { tolerates } from '../../api/taints.js';

export type EvictionPlan =
  /** Nothing to do; any planned eviction is cancelled. */
  | { kind: 'none' }
  /** Evict at `at` (ms); `since` is when the countdown started. */
  | { kind: 'evict'; since: number; at: number };

/**
 * The plan for a pod under `taints` (the node's NoExecute taints) at `now`; `since` is when an
 * eviction already planned for this pod started counting down.
 */
export function planEviction(tolerations: Toleration[], taints: Taint[], now: number, since?: number): EvictionPlan {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { kind: 'none' };
  const used = new Set<Toleration>();
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) return { kind: 'evict', since: now, at: now };
    matching.forEach((t) => used.add(t));
  }
  let minSeconds = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    minSeconds = Math.min(minSeconds, Math.max(0, t.tolerationSeconds));
  }
  if (minSeconds === Infinity) return { kind: 'none' };
  const start = since ?? now;
  return { kind: 'evict', since: start, at: start + minSeconds * 1000 };
}
