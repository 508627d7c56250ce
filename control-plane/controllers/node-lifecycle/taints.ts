/**
 * The taints the node lifecycle controller keeps on nodes, as upstream's: NoSchedule taints that
 * mirror the node's conditions (not-ready, unreachable, memory-pressure, disk-pressure,
 * pid-pressure, network-unavailable) and spec.unschedulable; and the NoExecute not-ready (Ready
 * False) or unreachable (Ready Unknown) taint that evicts pods. Other taints are left alone.
 *
 * NoExecute tainting stops where evicting would do more harm than good, as upstream's disruption
 * handling: while every node of every zone is not ready the controller assumes it is the one cut
 * off and removes those taints; in a zone where more than 2 nodes and at least 55% of them are not
 * ready ("partial disruption"), small zones (≤ 50 nodes) get no new ones. Pure functions.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { readyStatus } from './health.js';

export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** NoSchedule taint key for each condition status, as upstream's nodeConditionToTaintKeyStatusMap. */
const CONDITION_TAINTS: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: NOT_READY },
  { type: 'Ready', status: 'Unknown', key: UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
];
const NO_SCHEDULE_KEYS = new Set([...CONDITION_TAINTS.map((t) => t.key), UNSCHEDULABLE]);
const NO_EXECUTE_KEYS = new Set([NOT_READY, UNREACHABLE]);

const UNHEALTHY_ZONE_THRESHOLD = 0.55;
const LARGE_CLUSTER_THRESHOLD = 50;

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** The zone a node is in (region and zone labels), '' when it has none. */
export function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}

/** Each zone's state and size. */
export function zoneStates(nodes: Node[]): Map<string, { state: ZoneState; size: number }> {
  const counts = new Map<string, { ready: number; notReady: number }>();
  for (const node of nodes) {
    const c = counts.get(zoneOf(node)) ?? { ready: 0, notReady: 0 };
    if (readyStatus(node) === 'True') c.ready++;
    else c.notReady++;
    counts.set(zoneOf(node), c);
  }
  const out = new Map<string, { state: ZoneState; size: number }>();
  for (const [zone, { ready, notReady }] of counts) {
    let state: ZoneState = 'Normal';
    if (ready === 0 && notReady > 0) state = 'FullDisruption';
    else if (notReady > 2 && notReady / (ready + notReady) >= UNHEALTHY_ZONE_THRESHOLD) state = 'PartialDisruption';
    out.set(zone, { state, size: ready + notReady });
  }
  return out;
}

/** How NoExecute tainting applies to a node's zone now. */
export type NoExecuteMode = 'taint' | 'hold' | 'clear';

/** 'clear' when every zone is fully disrupted, 'hold' in a small partially disrupted zone, else 'taint'. */
export function noExecuteMode(node: Node, zones: Map<string, { state: ZoneState; size: number }>): NoExecuteMode {
  if (zones.size > 0 && [...zones.values()].every((z) => z.state === 'FullDisruption')) return 'clear';
  const z = zones.get(zoneOf(node));
  if (z?.state === 'PartialDisruption' && z.size <= LARGE_CLUSTER_THRESHOLD) return 'hold';
  return 'taint';
}

const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/**
 * The node's taints as they should be, or undefined when they already are. `now` stamps
 * timeAdded of a new NoExecute taint. In 'hold' mode NoExecute taints may be removed or kept but
 * none is added; in 'clear' mode the controller's NoExecute taints go.
 */
export function desiredTaints(node: Node, mode: NoExecuteMode, now: Date): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const conditions = node.status?.conditions ?? [];
  const noSchedule: Taint[] = CONDITION_TAINTS.filter((t) => conditions.some((c) => c.type === t.type && c.status === t.status)).map((t) => ({ key: t.key, effect: 'NoSchedule' }));
  if (node.spec?.unschedulable) noSchedule.push({ key: UNSCHEDULABLE, effect: 'NoSchedule' });

  const ready = readyStatus(node);
  const wantKey = ready === 'False' ? NOT_READY : ready === 'Unknown' ? UNREACHABLE : undefined;
  let noExecute: Taint[] = [];
  if (wantKey && mode !== 'clear') {
    const existing = current.find((t) => t.key === wantKey && t.effect === 'NoExecute');
    if (existing) noExecute = [existing];
    else if (mode === 'taint') noExecute = [{ key: wantKey, effect: 'NoExecute', timeAdded: now.toISOString().replace(/\.\d{3}Z$/, 'Z') }];
  }

  const managed = (t: Taint) => (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)) || (t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
  const kept = current.filter((t) => !managed(t));
  const next = [...kept, ...noSchedule.map((t) => current.find((c) => same(c, t)) ?? t), ...noExecute];
  const unchanged = next.length === current.length && next.every((t) => current.some((c) => same(c, t)));
  return unchanged ? undefined : next;
}
