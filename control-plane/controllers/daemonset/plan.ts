/**
 * The DaemonSet reconciliation as pure functions (upstream's manage, rollingUpdate and
 * updateDaemonSetStatus): from the DaemonSet, its current revision hash, the nodes and the pods it
 * owns, which nodes get a new pod, which pods go, and the status.
 *
 * - manage: a node that should run the pod and has none gets one; failed and succeeded pods are
 *   deleted (they come back on the next pass); of several running pods on a node the oldest stays
 *   (with maxSurge, one old and one new while the new one becomes available); pods on nodes that
 *   may no longer run them are deleted, and so are unbound pods whose node is gone.
 * - rollingUpdate (only when manage has nothing to do): without surge, old pods are deleted while
 *   fewer than maxUnavailable pods are unavailable (old pods that are unavailable anyway go first);
 *   with maxSurge, new pods are created next to old ones (at most maxSurge at a time, at once where
 *   the old one is unavailable) and an old pod is deleted once its replacement is available.
 */
import { isPodAvailable, isPodReady } from '../shared/pod-readiness.js';
import { nodeShouldRunDaemonPod } from './node-fit.js';
import { isPodUpdated, targetNodeOf, templateGeneration } from './pod-template.js';

export interface DaemonSetState {
  ds: any;
  /** The hash of the current revision (the pods' controller-revision-hash). */
  hash: string;
  nodes: readonly any[];
  /** The pods the DaemonSet owns. */
  pods: readonly any[];
  /** Milliseconds since the epoch. */
  now: number;
}

export type DeleteReason = 'failed' | 'succeeded' | 'excess' | 'not-eligible' | 'node-gone' | 'update';

export interface DaemonSetActions {
  /** Nodes that get a new pod. */
  createOn: string[];
  delete: { pod: any; node: string; reason: DeleteReason }[];
}

export interface DaemonSetStatus {
  observedGeneration: number;
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

const isTerminal = (pod: any) => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
const isDeleting = (pod: any) => !!pod.metadata.deletionTimestamp;

/** Upstream's podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
function oldestFirst(a: any, b: any): number {
  const boundA = !!a.spec?.nodeName;
  const boundB = !!b.spec?.nodeName;
  if (boundA !== boundB) return boundA ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** The owned pods by the node they are for; terminal pods already being deleted are left out. */
export function podsByNode(pods: readonly any[]): Map<string, any[]> {
  const out = new Map<string, any[]>();
  for (const pod of pods) {
    if (isTerminal(pod) && isDeleting(pod)) continue;
    const node = targetNodeOf(pod);
    if (node === undefined) continue;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(pod);
  }
  return out;
}

function surgeAllowed(ds: any): boolean {
  return maxSurgeOf(ds, 1) > 0;
}

/** An int-or-percent of `total`, percentages rounded up (upstream's GetScaledValueFromIntOrPercent with roundUp). */
export function scaledValue(value: number | string | undefined, total: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

const isRollingUpdate = (ds: any) => (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

function maxSurgeOf(ds: any, desired: number): number {
  return isRollingUpdate(ds) ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge, desired) : 0;
}

function maxUnavailableOf(ds: any, desired: number): number {
  return isRollingUpdate(ds) ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, desired) : 0;
}

/** What manage does on one node (upstream's podsShouldBeOnNode). */
function planNode(s: DaemonSetState, node: any, onNode: any[] | undefined, out: DaemonSetActions): void {
  const name = node.metadata.name;
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, s.ds);
  if (shouldRun && !onNode) {
    out.createOn.push(name);
    return;
  }
  if (!onNode) return;
  if (!shouldContinueRunning) {
    for (const pod of onNode) if (!isDeleting(pod)) out.delete.push({ pod, node: name, reason: 'not-eligible' });
    return;
  }
  const running: any[] = [];
  for (const pod of onNode) {
    if (isDeleting(pod)) continue;
    if (pod.status?.phase === 'Failed') out.delete.push({ pod, node: name, reason: 'failed' });
    else if (pod.status?.phase === 'Succeeded') out.delete.push({ pod, node: name, reason: 'succeeded' });
    else running.push(pod);
  }
  if (running.length <= 1) return;
  running.sort(oldestFirst);
  if (!surgeAllowed(s.ds)) {
    for (const pod of running.slice(1)) out.delete.push({ pod, node: name, reason: 'excess' });
    return;
  }
  // With surge: keep the oldest new pod, and the oldest old pod only while the new one is not yet available.
  let oldestNew: any;
  let oldestOld: any;
  const generation = templateGeneration(s.ds);
  for (const pod of running) {
    if (isPodUpdated(pod, s.hash, generation)) {
      if (!oldestNew) {
        oldestNew = pod;
        continue;
      }
    } else if (!oldestOld) {
      oldestOld = pod;
      continue;
    }
    out.delete.push({ pod, node: name, reason: 'excess' });
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, s.ds.spec?.minReadySeconds ?? 0, s.now))) {
    out.delete.push({ pod: oldestOld, node: name, reason: 'update' });
  }
}

/** Pods to create and delete so that each eligible node runs exactly one pod. */
export function planManage(s: DaemonSetState): DaemonSetActions {
  const out: DaemonSetActions = { createOn: [], delete: [] };
  const byNode = podsByNode(s.pods);
  const nodeNames = new Set<string>();
  for (const node of s.nodes) {
    nodeNames.add(node.metadata.name);
    planNode(s, node, byNode.get(node.metadata.name), out);
  }
  for (const [node, pods] of byNode) {
    if (nodeNames.has(node)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.delete.push({ pod, node, reason: 'node-gone' });
  }
  return out;
}

/** The one new and one old pod on a node; undefined when there are more (manage prunes them first). */
function updatedAndOld(s: DaemonSetState, pods: readonly any[]): { newPod?: any; oldPod?: any } | undefined {
  const generation = templateGeneration(s.ds);
  let newPod: any;
  let oldPod: any;
  for (const pod of pods) {
    if (isDeleting(pod)) continue;
    if (isPodUpdated(pod, s.hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** Pods to replace by the current template, within maxUnavailable or maxSurge (upstream's rollingUpdate). */
export function planRollingUpdate(s: DaemonSetState): DaemonSetActions {
  const out: DaemonSetActions = { createOn: [], delete: [] };
  if (!isRollingUpdate(s.ds)) return out;
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  const available = (pod: any) => isPodAvailable(pod, minReady, s.now);
  const byNode = podsByNode(s.pods);
  const fit = new Map(s.nodes.map((n) => [n.metadata.name, nodeShouldRunDaemonPod(n, s.ds)]));
  let desired = 0;
  for (const node of s.nodes) {
    if (!fit.get(node.metadata.name)!.shouldRun) continue;
    desired++;
    if (!byNode.has(node.metadata.name)) byNode.set(node.metadata.name, []);
  }
  let maxSurge = maxSurgeOf(s.ds, desired);
  let maxUnavailable = maxUnavailableOf(s.ds, desired);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  const nodes = [...byNode.keys()].sort();

  if (maxSurge === 0) {
    let unavailable = 0;
    const replacements: { pod: any; node: string }[] = [];
    const candidates: { pod: any; node: string }[] = [];
    for (const node of nodes) {
      const found = updatedAndOld(s, byNode.get(node)!);
      if (!found || (!found.newPod && !found.oldPod) || (found.newPod && found.oldPod)) {
        unavailable++;
        continue;
      }
      if (found.newPod) {
        if (!available(found.newPod)) unavailable++;
        continue;
      }
      if (!available(found.oldPod)) {
        replacements.push({ pod: found.oldPod, node });
        unavailable++;
      } else if (unavailable < maxUnavailable) {
        candidates.push({ pod: found.oldPod, node });
      }
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    for (const x of [...replacements, ...candidates.slice(0, room)]) out.delete.push({ ...x, reason: 'update' });
    return out;
  }

  const oldToDelete: { pod: any; node: string }[] = [];
  const notEligibleOld: { pod: any; node: string }[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let surging = 0;
  let availableCount = 0;
  for (const node of nodes) {
    const found = updatedAndOld(s, byNode.get(node)!);
    if (!found) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (oldPod ? available(oldPod) : newPod && available(newPod)) availableCount++;
    if (!oldPod) continue;
    if (!newPod) {
      const shouldRun = fit.get(node)?.shouldRun ?? false;
      if (!available(oldPod)) {
        if (!shouldRun) oldToDelete.push({ pod: oldPod, node });
        else allowedNew.push(node);
      } else if (!shouldRun) {
        notEligibleOld.push({ pod: oldPod, node });
      } else if (surging < maxSurge) {
        candidateNew.push(node);
      }
      continue;
    }
    if (!available(newPod)) surging++;
    else oldToDelete.push({ pod: oldPod, node });
  }
  // Old pods on nodes that may no longer run them go only while more pods are available than desired.
  const deletable = Math.min(Math.max(0, availableCount - desired), notEligibleOld.length);
  oldToDelete.push(...notEligibleOld.slice(0, deletable));
  maxSurge = Math.min(Math.max(0, maxSurge - surging), candidateNew.length);
  out.createOn.push(...allowedNew, ...candidateNew.slice(0, maxSurge));
  for (const x of oldToDelete) out.delete.push({ ...x, reason: 'update' });
  return out;
}

/** The status from the nodes and pods (upstream's updateDaemonSetStatus). */
export function computeStatus(s: DaemonSetState): DaemonSetStatus {
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(s.ds);
  const byNode = podsByNode(s.pods);
  const st: DaemonSetStatus = {
    observedGeneration: s.ds.metadata.generation ?? 0,
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  for (const node of s.nodes) {
    const pods = byNode.get(node.metadata.name) ?? [];
    const { shouldRun } = nodeShouldRunDaemonPod(node, s.ds);
    if (!shouldRun) {
      if (pods.length) st.numberMisscheduled++;
      continue;
    }
    st.desiredNumberScheduled++;
    if (!pods.length) continue;
    st.currentNumberScheduled++;
    const pod = [...pods].sort(oldestFirst)[0];
    if (isPodReady(pod)) {
      st.numberReady++;
      if (isPodAvailable(pod, minReady, s.now)) st.numberAvailable++;
    }
    if (isPodUpdated(pod, s.hash, generation)) st.updatedNumberScheduled++;
  }
  st.numberUnavailable = st.desiredNumberScheduled - st.numberAvailable;
  return st;
}
