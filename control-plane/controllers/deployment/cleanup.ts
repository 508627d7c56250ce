/**
 * revisionHistoryLimit, as upstream's cleanupDeployment: of the old ReplicaSets (kept for
 * `kubectl rollout undo`), all but the newest revisionHistoryLimit are deleted, lowest revision
 * first, but only once they are fully scaled down (no pods, and their controller has seen that).
 * Pure: returns the ReplicaSets to delete.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { byRevision, specReplicas } from './replicasets.js';

/** revisionHistoryLimit meaning "keep all" (MaxInt32), as upstream. */
const UNLIMITED = 2147483647;

export function replicaSetsToCleanUp(d: Deployment, oldRSs: ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null || limit === UNLIMITED) return [];
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const excess = cleanable.length - limit;
  if (excess <= 0) return [];
  return [...cleanable]
    .sort(byRevision)
    .slice(0, excess)
    .filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
