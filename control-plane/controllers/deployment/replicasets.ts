/**
 * A Deployment's ReplicaSets as upstream's deploymentutil and controller_utils see them: which
 * one is new (its template equals the Deployment's, ignoring the hash label; the oldest such one
 * if there are several), which are old, the orders used to pick them (creation, size, revision)
 * and the sums of their replica counts. Pure; nothing here edits its arguments.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { desiredReplicasAnnotation, revisionOf } from './annotations.js';
import { desiredReplicas } from './fenceposts.js';
import { equalIgnoreHash } from './hash.js';

/** spec.replicas of a ReplicaSet, defaulted as upstream does (1). */
export function specReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

function createdMs(rs: ReplicaSet): number {
  const t = Date.parse(rs.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Older first; equal creation times by name (upstream's ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = createdMs(a) - createdMs(b);
  if (d !== 0) return d;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Larger first; equal sizes newer first (for scaling up). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Larger first; equal sizes older first (for scaling down). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** Lower revision first; equal revisions older first. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** ReplicaSets asked for pods. */
export function activeReplicaSets(rss: ReplicaSet[]): ReplicaSet[] {
  return rss.filter((rs) => specReplicas(rs) > 0);
}

/** The ReplicaSet running the Deployment's current template, if there is one. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
}

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

/** Sum of spec.replicas: the pods asked for. */
export const specReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, specReplicas);
/** Sum of status.replicas: the active pods the ReplicaSets have. */
export const actualReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/**
 * The only active ReplicaSet; with none active, the new one or else the newest old one; with
 * several active, none (upstream's FindActiveOrLatest).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets(newRS ? [...newestFirst, newRS] : newestFirst);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** The new ReplicaSet has all the Deployment's replicas, available, for its current size. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicas(d);
  return desiredReplicasAnnotation(rs) === desired && specReplicas(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

/** A decision to set a ReplicaSet's spec.replicas (and its replicas annotations) to `replicas`. */
export interface ScaleAction {
  rs: ReplicaSet;
  replicas: number;
}
