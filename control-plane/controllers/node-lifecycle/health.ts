/**
 * Node health, as upstream's node lifecycle controller judges it: a node is alive while its agent
 * renews its Lease (kube-node-lease/<node>) or posts new status. The controller notes, by its own
 * clock, when it last saw either (the probe time; the timestamps themselves may come from a skewed
 * clock). When the probe time is older than the grace period, the node's Ready, MemoryPressure,
 * DiskPressure and PIDPressure conditions become Unknown ("Kubelet stopped posting node status.").
 * Pure functions.
 */
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';

/** What the controller last saw of a node. */
export interface Probe {
  /** When (controller clock, ms) the node last showed life. */
  probeTime: number;
  /** The Ready condition's lastHeartbeatTime then. */
  heartbeat?: string;
  /** The Lease's renewTime then. */
  leaseRenewTime?: string;
}

/** Conditions the controller sets to Unknown; NetworkUnavailable is the network plugin's. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function readyCondition(node: Node): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

/** The Ready status: 'True', 'False' or 'Unknown' (no condition counts as Unknown). */
export function readyStatus(node: Node): string {
  return readyCondition(node)?.status ?? 'Unknown';
}

/**
 * The probe after looking at the node and its Lease now. A node seen for the first time gets a
 * full grace period (from now, or from its creation if it never posted status); a new heartbeat or
 * a later Lease renewal moves the probe time to now.
 */
export function observe(prev: Probe | undefined, node: Node, leaseRenewTime: string | undefined, now: number): Probe {
  const heartbeat = readyCondition(node)?.lastHeartbeatTime;
  if (!prev) {
    const created = Date.parse(node.metadata?.creationTimestamp ?? '');
    return { probeTime: readyCondition(node) || Number.isNaN(created) ? now : created, heartbeat, leaseRenewTime };
  }
  let probeTime = prev.probeTime;
  if (heartbeat !== prev.heartbeat) probeTime = now;
  const renewed = Date.parse(leaseRenewTime ?? '');
  if (!Number.isNaN(renewed) && (prev.leaseRenewTime === undefined || renewed > Date.parse(prev.leaseRenewTime))) probeTime = now;
  return { probeTime, heartbeat, leaseRenewTime: leaseRenewTime ?? prev.leaseRenewTime };
}

/** How long the node may stay silent: the startup grace period until it first posts Ready. */
export function gracePeriodFor(node: Node, gracePeriodMs: number, startupGracePeriodMs: number): number {
  return readyCondition(node) ? gracePeriodMs : startupGracePeriodMs;
}

/**
 * The node's conditions with the monitored ones set to Unknown, if the probe is older than the
 * grace period and that changes anything; undefined otherwise.
 */
export function silencedConditions(node: Node, probe: Probe, now: number, gracePeriodMs: number): NodeCondition[] | undefined {
  if (now <= probe.probeTime + gracePeriodMs) return undefined;
  const time = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: time });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: time });
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
