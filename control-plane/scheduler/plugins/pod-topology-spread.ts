/**
 * PodTopologySpread, as upstream's plugin. A constraint counts the pods its labelSelector (plus
 * matchLabelKeys) selects in the pod's namespace, per domain of its topologyKey, over the nodes
 * that have every constraint's key and pass its node inclusion policies (nodeAffinityPolicy Honor
 * and nodeTaintsPolicy Ignore by default); terminating pods do not count. The skew of a node is
 * its domain's count, plus one when the pod matches the selector itself, minus the smallest count
 * of any domain (0 while fewer domains than minDomains exist).
 *
 * Filter: every DoNotSchedule constraint keeps its skew at most maxSkew; a node without a
 * constraint's key is rejected for good.
 * Score: ScheduleAnyway constraints (or, for a pod with no constraints at all that a controller
 * owns, upstream's system defaults: maxSkew 3 per hostname and 5 per zone over the pods of that
 * controller) favour domains with fewer matching pods: each count is weighted by log(domains + 2),
 * and nodes are normalized so that the emptiest scores 100.
 */
import { selectorFromLabelSelector } from '../../api/labels.js';
import { blocksScheduling, firstUntolerated } from '../../api/taints.js';
import { rejection, type Rejection } from '../fit-error.js';
import { MAX_NODE_SCORE, type ClusterView, type CycleState, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

const CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
const SKEW_REJECTED = rejection(CONSTRAINTS_NOT_MATCH);
const MISSING_LABEL_REJECTED = rejection(`${CONSTRAINTS_NOT_MATCH} (missing required label)`, true);

export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorTaints: boolean;
  /** Whether a pod (of the incoming pod's namespace) counts for this constraint. */
  readonly selects: (pod: PodInfo) => boolean;
  /** Pods of this controller on a node, when the constraint counts by owner (system defaults). */
  readonly ownerUid?: string;
}

/** The pod's constraints with this whenUnsatisfiable, compiled; malformed ones are dropped. */
export function constraintsOf(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  for (const c of (pod.pod.spec?.topologySpreadConstraints ?? []) as any[]) {
    if ((c?.whenUnsatisfiable ?? 'DoNotSchedule') !== when || !c.topologyKey) continue;
    let selector;
    try {
      selector = selectorFromLabelSelector(c.labelSelector);
    } catch {
      continue;
    }
    const keys = ((c.matchLabelKeys ?? []) as string[]).filter((k) => Object.hasOwn(pod.labels, k));
    const namespace = pod.namespace;
    out.push({
      maxSkew: c.maxSkew ?? 1,
      topologyKey: c.topologyKey,
      minDomains: when === 'DoNotSchedule' ? (c.minDomains ?? 1) : 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
      selects: (p) =>
        p.namespace === namespace && !p.terminating && selector.matches(p.labels) && keys.every((k) => p.labels[k] === pod.labels[k]),
    });
  }
  return out;
}

/** Upstream's system default constraints, counting the pods of the same controller. */
export function systemDefaultConstraints(pod: PodInfo): Constraint[] {
  const owner = pod.ownerUid;
  if (!owner) return [];
  const selects = (p: PodInfo) => p.ownerUid === owner && !p.terminating;
  const base = { minDomains: 1, honorNodeAffinity: true, honorTaints: false, selects, ownerUid: owner };
  return [
    { ...base, maxSkew: 3, topologyKey: HOSTNAME_LABEL },
    { ...base, maxSkew: 5, topologyKey: ZONE_LABEL },
  ];
}

function hasAllKeys(node: NodeInfo, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) if (!Object.hasOwn(node.labels, c.topologyKey)) return false;
  return true;
}

/** Whether `node` counts for `c` under its node inclusion policies. */
function included(c: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.honorNodeAffinity && pod.requiredNodes && !pod.requiredNodes(node)) return false;
  if (c.honorTaints && firstUntolerated(node.taints, pod.tolerations, blocksScheduling)) return false;
  return true;
}

/** Pods on `node` that count for `c`. */
function countOn(c: Constraint, node: NodeInfo): number {
  if (c.ownerUid !== undefined) return node.ownerCounts.get(c.ownerUid) ?? 0;
  let n = 0;
  for (const p of node.pods.values()) if (c.selects(p)) n++;
  return n;
}

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: domain → matching pods. */
  counts: Map<string, number>[];
  /** Per constraint: the smallest domain count (0 below minDomains domains). */
  mins: number[];
  /** Per constraint: whether the incoming pod matches it itself. */
  selfMatch: boolean[];
}

const FILTER_KEY = 'PodTopologySpread/filter';
const SCORE_KEY = 'PodTopologySpread/score';

function filterState(pod: PodInfo, constraints: Constraint[], cluster: ClusterView): FilterState {
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of cluster.nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!included(c, pod, node)) return;
      const value = node.labels[c.topologyKey]!;
      counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + countOn(c, node));
    });
  }
  const mins = constraints.map((c, i) => {
    const domains = counts[i]!;
    if (domains.size < c.minDomains) return 0;
    let min = Infinity;
    for (const n of domains.values()) if (n < min) min = n;
    return min;
  });
  return { constraints, counts, mins, selfMatch: constraints.map((c) => c.selects(pod)) };
}

export const podTopologySpread: FilterPlugin = {
  name: 'PodTopologySpread',
  events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
  preFilter: (pod, cluster, state) => {
    const constraints = constraintsOf(pod, 'DoNotSchedule');
    if (constraints.length === 0) return false;
    state.write(FILTER_KEY, filterState(pod, constraints, cluster));
    return true;
  },
  filter: (_pod, node, state): Rejection | undefined => {
    const s = state.read<FilterState>(FILTER_KEY);
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      if (!Object.hasOwn(node.labels, c.topologyKey)) return MISSING_LABEL_REJECTED;
      const skew = (s.counts[i]!.get(node.labels[c.topologyKey]!) ?? 0) + (s.selfMatch[i] ? 1 : 0) - s.mins[i]!;
      if (skew > c.maxSkew) return SKEW_REJECTED;
    }
    return undefined;
  },
};

interface ScoreState {
  constraints: Constraint[];
  /** Feasible nodes missing a constraint's key (scored 0). */
  ignored: Set<string>;
  /** Per constraint (non-hostname keys): domain → matching pods. */
  counts: Map<string, number>[];
  /** Per constraint: log(domains + 2). */
  weights: number[];
}

export const podTopologySpreadScore: ScorePlugin = {
  name: 'PodTopologySpread',
  preScore: (pod, nodes, cluster, state: CycleState) => {
    const own = constraintsOf(pod, 'ScheduleAnyway');
    const explicit = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const constraints = explicit ? own : systemDefaultConstraints(pod);
    if (constraints.length === 0) return false;
    // Only explicit constraints need every key; system defaults spread by hostname where nodes have no zone.
    const requireAll = explicit;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    const sizes = constraints.map(() => 0);
    for (const node of nodes) {
      if (requireAll && !hasAllKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        const key = constraints[i]!.topologyKey;
        if (key === HOSTNAME_LABEL || !Object.hasOwn(node.labels, key)) continue;
        const value = node.labels[key]!;
        if (!counts[i]!.has(value)) {
          counts[i]!.set(value, 0);
          sizes[i]!++;
        }
      }
    }
    // Domains of the feasible nodes count the matching pods of every node in them.
    for (const node of cluster.nodes) {
      if (requireAll && !hasAllKeys(node, constraints)) continue;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i]!;
        if (c.topologyKey === HOSTNAME_LABEL) continue;
        const value = node.labels[c.topologyKey];
        const current = value === undefined ? undefined : counts[i]!.get(value);
        if (current !== undefined && included(c, pod, node)) counts[i]!.set(value!, current + countOn(c, node));
      }
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME_LABEL ? nodes.length - ignored.size : sizes[i]!) + 2));
    state.write(SCORE_KEY, { constraints, ignored, counts, weights } satisfies ScoreState);
    return true;
  },
  score: (_pod, node, state) => {
    const s = state.read<ScoreState>(SCORE_KEY);
    if (s.ignored.has(node.name)) return 0;
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      if (!Object.hasOwn(node.labels, c.topologyKey)) continue;
      const count = c.topologyKey === HOSTNAME_LABEL ? countOn(c, node) : (s.counts[i]!.get(node.labels[c.topologyKey]!) ?? 0);
      score += count * s.weights[i]! + (c.maxSkew - 1);
    }
    return Math.round(score);
  },
  normalize: (scores, nodes, state) => {
    const s = state.read<ScoreState>(SCORE_KEY);
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (s.ignored.has(nodes[i]!.name)) continue;
      if (scores[i]! < min) min = scores[i]!;
      if (scores[i]! > max) max = scores[i]!;
    }
    for (let i = 0; i < nodes.length; i++) {
      if (s.ignored.has(nodes[i]!.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    }
  },
};
