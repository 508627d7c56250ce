/**
 * Which pods a ReplicaSet deletes first when it has too many, as upstream's ActivePodsWithRanks
 * (with LogarithmicScaleDown, on by default upstream): pods earlier in their start-up go first, so
 * scaling down costs as little availability as possible. Pure.
 *
 * Order, first deleted first:
 *  1. unscheduled before scheduled;
 *  2. Pending before Unknown before Running;
 *  3. not Ready before Ready;
 *  4. lower controller.kubernetes.io/pod-deletion-cost before higher;
 *  5. pods sharing their node with more pods of the same owner before others ("doubled up");
 *  6. Ready for less time before longer (times compared on a log2 scale, ties by uid);
 *  7. more container restarts before fewer;
 *  8. newer before older (creation time on a log2 scale, ties by uid).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, maxContainerRestarts } from './replicaset-pods.js';
import { isPodReady, podReadySince } from './shared/pod-readiness.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface Ranked {
  pod: Pod;
  /** Active pods related to this one (same owner, or same owner's owner) on its node. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[POD_DELETION_COST];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  const n = Number(raw);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function creationMs(pod: Pod): number | undefined {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** Upstream's afterOrZero: an unknown time sorts first; otherwise the later one does. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** floor(log2(age in ns)), -1 for no age: times in one bucket count as equally old. */
function logBucket(t: number, nowMs: number): number {
  const ageNs = (nowMs - t) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/** Compares two times on the log scale; true when `t1` should go first. */
function youngerOnLogScale(t1: number | undefined, t2: number | undefined, a: Pod, b: Pod, nowMs: number): boolean {
  if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
  const diff = logBucket(t1, nowMs) - logBucket(t2, nowMs);
  if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
  return diff < 0;
}

/** Whether `a` should be deleted before `b`. */
function deletesBefore(a: Ranked, b: Ranked, nowMs: number): boolean {
  const nodeA = a.pod.spec?.nodeName ?? '';
  const nodeB = b.pod.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '';
  const phaseA = PHASE_ORDER[a.pod.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDER[b.pod.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA < phaseB;
  const readyA = isPodReady(a.pod);
  const readyB = isPodReady(b.pod);
  if (readyA !== readyB) return !readyA;
  const costA = deletionCost(a.pod);
  const costB = deletionCost(b.pod);
  if (costA !== costB) return costA < costB;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (readyA && readyB) {
    const sinceA = podReadySince(a.pod);
    const sinceB = podReadySince(b.pod);
    if (sinceA !== sinceB) return youngerOnLogScale(sinceA, sinceB, a.pod, b.pod, nowMs);
  }
  const restartsA = maxContainerRestarts(a.pod);
  const restartsB = maxContainerRestarts(b.pod);
  if (restartsA !== restartsB) return restartsA > restartsB;
  const createdA = creationMs(a.pod);
  const createdB = creationMs(b.pod);
  if (createdA !== createdB) return youngerOnLogScale(createdA, createdB, a.pod, b.pod, nowMs);
  return false;
}

/**
 * The `count` pods of `pods` to delete first. `related` are the pods of the same owner and of its
 * siblings (the other ReplicaSets of the same Deployment): a pod whose node holds many of them is
 * preferred, which spreads what remains. Returns `pods` in their order when all of them go.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, nowMs: number): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: Ranked[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deletesBefore(a, b, nowMs) ? -1 : deletesBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
