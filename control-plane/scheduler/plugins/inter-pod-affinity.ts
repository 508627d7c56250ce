/**
 * InterPodAffinity, as upstream's plugin:
 *
 * Filter (required terms), per node, in this order:
 * - the pod's affinity: in the node's domain of every term's topologyKey (e.g. the node itself for
 *   kubernetes.io/hostname, its zone for topology.kubernetes.io/zone) some pod matches all terms,
 *   unless no pod anywhere does and the pod matches its own terms (the first of a group);
 * - the pod's anti-affinity: no pod matching a term in the node's domain of that term;
 * - existing pods' anti-affinity: no pod in a domain of the node has a term the new pod matches.
 * Terms select pods by label selector in the pod's namespace, the listed namespaces, or the
 * namespaces a namespaceSelector selects.
 *
 * Score (preferred terms, and existing pods' required affinity with weight 1): for every existing
 * pod, the weights of terms relating it and the new pod are added to (or for anti-affinity taken
 * from) the topology domain the existing pod is in; a node scores the sum over its domains,
 * normalized between the lowest and highest node.
 */
import { rejection, type Rejection } from '../fit-error.js';
import { MAX_NODE_SCORE, type ClusterView, type CycleState, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { matchesAllTerms, termMatches, type AffinityTerm, type NamespaceLabels, type PodInfo, type WeightedAffinityTerm } from '../pod-info.js';

const AFFINITY_REJECTED = rejection("node(s) didn't match pod affinity rules", true);
const ANTI_AFFINITY_REJECTED = rejection("node(s) didn't match pod anti-affinity rules");
const EXISTING_ANTI_AFFINITY_REJECTED = rejection("node(s) didn't satisfy existing pods anti-affinity rules");
/** Weight of an existing pod's required affinity term the new pod matches (upstream's hardPodAffinityWeight). */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** Counts per topology pair `key=value`. */
type PairCounts = Map<string, number>;

const pair = (key: string, value: string) => `${key}=${value}`;

function bump(counts: PairCounts, key: string, value: string, by: number): void {
  const p = pair(key, value);
  const n = (counts.get(p) ?? 0) + by;
  if (n === 0) counts.delete(p);
  else counts.set(p, n);
}

interface FilterState {
  /** Pairs holding an existing pod whose required anti-affinity the new pod matches. */
  existingAnti: PairCounts;
  /** Pairs holding pods matching all of the new pod's required affinity terms. */
  affinity: PairCounts;
  /** Pairs holding pods matching one of the new pod's required anti-affinity terms. */
  anti: PairCounts;
  namespaceLabels: NamespaceLabels;
}

const FILTER_KEY = 'InterPodAffinity/filter';
const SCORE_KEY = 'InterPodAffinity/score';

function computeFilterState(pod: PodInfo, cluster: ClusterView): FilterState {
  const ns = cluster.namespaceLabels;
  const state: FilterState = { existingAnti: new Map(), affinity: new Map(), anti: new Map(), namespaceLabels: ns };
  const incomingTerms = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
  for (const node of cluster.nodes) {
    const labels = node.labels;
    for (const existing of node.podsWithRequiredAntiAffinity) {
      for (const t of existing.requiredAntiAffinity) {
        if (Object.hasOwn(labels, t.topologyKey) && termMatches(t, pod, ns)) bump(state.existingAnti, t.topologyKey, labels[t.topologyKey]!, 1);
      }
    }
    if (!incomingTerms) continue;
    for (const existing of node.pods.values()) {
      if (matchesAllTerms(pod.requiredAffinity, existing, ns)) {
        for (const t of pod.requiredAffinity) if (Object.hasOwn(labels, t.topologyKey)) bump(state.affinity, t.topologyKey, labels[t.topologyKey]!, 1);
      }
      for (const t of pod.requiredAntiAffinity) {
        if (Object.hasOwn(labels, t.topologyKey) && termMatches(t, existing, ns)) bump(state.anti, t.topologyKey, labels[t.topologyKey]!, 1);
      }
    }
  }
  return state;
}

function satisfiesAffinity(pod: PodInfo, node: NodeInfo, s: FilterState, ns: NamespaceLabels): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinity) {
    if (!Object.hasOwn(node.labels, t.topologyKey)) return false;
    if (!((s.affinity.get(pair(t.topologyKey, node.labels[t.topologyKey]!)) ?? 0) > 0)) podsExist = false;
  }
  return podsExist || (s.affinity.size === 0 && matchesAllTerms(pod.requiredAffinity, pod, ns));
}

function violatesAntiAffinity(pod: PodInfo, node: NodeInfo, s: FilterState): boolean {
  for (const t of pod.requiredAntiAffinity) {
    if (Object.hasOwn(node.labels, t.topologyKey) && (s.anti.get(pair(t.topologyKey, node.labels[t.topologyKey]!)) ?? 0) > 0) return true;
  }
  return false;
}

function violatesExistingAntiAffinity(node: NodeInfo, s: FilterState): boolean {
  if (s.existingAnti.size === 0) return false;
  for (const key in node.labels) if ((s.existingAnti.get(pair(key, node.labels[key]!)) ?? 0) > 0) return true;
  return false;
}

export const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
  preFilter: (pod, cluster, state) => {
    const incoming = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
    if (!incoming && cluster.podsWithRequiredAntiAffinity === 0) return false;
    state.write(FILTER_KEY, computeFilterState(pod, cluster));
    return true;
  },
  filter: (pod, node, state): Rejection | undefined => {
    const s = state.read<FilterState>(FILTER_KEY);
    if (pod.requiredAffinity.length && !satisfiesAffinity(pod, node, s, s.namespaceLabels)) return AFFINITY_REJECTED;
    if (violatesAntiAffinity(pod, node, s)) return ANTI_AFFINITY_REJECTED;
    if (violatesExistingAntiAffinity(node, s)) return EXISTING_ANTI_AFFINITY_REJECTED;
    return undefined;
  },
};

/** topologyKey → value → score. */
type TopologyScore = Map<string, Map<string, number>>;

function addTerm(scores: TopologyScore, term: AffinityTerm, weight: number, pod: PodInfo, node: NodeInfo, ns: NamespaceLabels): void {
  if (!Object.hasOwn(node.labels, term.topologyKey) || !termMatches(term, pod, ns)) return;
  let byValue = scores.get(term.topologyKey);
  if (!byValue) scores.set(term.topologyKey, (byValue = new Map()));
  const value = node.labels[term.topologyKey]!;
  byValue.set(value, (byValue.get(value) ?? 0) + weight);
}

function addWeighted(scores: TopologyScore, terms: readonly WeightedAffinityTerm[], sign: number, pod: PodInfo, node: NodeInfo, ns: NamespaceLabels): void {
  for (const t of terms) addTerm(scores, t, sign * t.weight, pod, node, ns);
}

/** What `existing` (on `node`) and the new pod's terms contribute to the topology scores. */
function processExistingPod(scores: TopologyScore, pod: PodInfo, existing: PodInfo, node: NodeInfo, ns: NamespaceLabels): void {
  addWeighted(scores, pod.preferredAffinity, 1, existing, node, ns);
  addWeighted(scores, pod.preferredAntiAffinity, -1, existing, node, ns);
  for (const t of existing.requiredAffinity) addTerm(scores, t, HARD_POD_AFFINITY_WEIGHT, pod, node, ns);
  addWeighted(scores, existing.preferredAffinity, 1, pod, node, ns);
  addWeighted(scores, existing.preferredAntiAffinity, -1, pod, node, ns);
}

export const interPodAffinityScore: ScorePlugin = {
  name: 'InterPodAffinity',
  preScore: (pod, _nodes, cluster, state: CycleState) => {
    const ns = cluster.namespaceLabels;
    const own = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    if (!own && cluster.podsWithAffinity === 0) return false;
    const scores: TopologyScore = new Map();
    for (const node of cluster.nodes) {
      const pods = own ? node.pods.values() : node.podsWithAffinity;
      for (const existing of pods) processExistingPod(scores, pod, existing, node, ns);
    }
    if (scores.size === 0) return false;
    state.write(SCORE_KEY, scores);
    return true;
  },
  score: (_pod, node, state) => {
    let sum = 0;
    for (const [key, byValue] of state.read<TopologyScore>(SCORE_KEY)) {
      if (Object.hasOwn(node.labels, key)) sum += byValue.get(node.labels[key]!) ?? 0;
    }
    return sum;
  },
  normalize: (scores) => {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i]! - min) / diff)) : 0;
  },
};
