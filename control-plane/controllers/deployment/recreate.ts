/**
 * One sync's worth of a Recreate rollout, as upstream's rolloutRecreate: scale every old
 * ReplicaSet to 0; wait until none of their pods is left running (terminating pods count; failed
 * and succeeded ones do not); then create or scale the new ReplicaSet to spec.replicas. Pure.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { activeReplicaSets, actualReplicaCount, type ScaleAction } from './replicasets.js';

export type RecreateStep =
  /** Scale these old ReplicaSets to 0. */
  | { kind: 'scale-down-old'; actions: ScaleAction[] }
  /** Old pods still exist: wait for them to go. */
  | { kind: 'wait-for-old-pods' }
  /** Old pods are gone: create the new ReplicaSet if needed and scale it to spec.replicas. */
  | { kind: 'roll-out' };

/**
 * Whether pods of the old ReplicaSets still run: their status still counts replicas, or a pod
 * they control (in `podsByReplicaSet`, keyed by ReplicaSet uid) has not finished.
 */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podsByReplicaSet: Map<string, Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByReplicaSet) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export function recreateStep(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podsByReplicaSet: Map<string, Pod[]>): RecreateStep {
  const active = activeReplicaSets(oldRSs);
  if (active.length) return { kind: 'scale-down-old', actions: active.map((rs) => ({ rs, replicas: 0 })) };
  if (oldPodsRunning(newRS, oldRSs, podsByReplicaSet)) return { kind: 'wait-for-old-pods' };
  return { kind: 'roll-out' };
}
