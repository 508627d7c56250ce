/**
 * The scheduling framework: filter and score plugins and the algorithm of one scheduling cycle,
 * as upstream's (pkg/scheduler/schedule_one.go):
 *
 * 1. every filter plugin's preFilter prepares per-pod state (or says its filter does not apply);
 * 2. nodes are filtered from a rotating start, each stopping at its first rejecting plugin, until
 *    enough feasible nodes are found (percentageOfNodesToScore, adaptive by default: 50 % minus
 *    1 % per 125 nodes, at least 5 %, and never fewer than 100 nodes); a pod's nominated node
 *    (after preemption) is tried first;
 * 3. feasible nodes are scored by each score plugin (0..100, normalized), weighted and summed;
 * 4. the best node wins, ties broken at random.
 *
 * Pure and synchronous: it reads NodeInfos and never writes them; the caller owns the cluster view.
 */
import { FitError, type Rejection } from './fit-error.js';
import { NodeInfo } from './node-info.js';
import type { NamespaceLabels, PodInfo } from './pod-info.js';

/** Changes in the cluster that can make a rejected pod fit (upstream's ClusterEvents). */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete'
  /** A PersistentVolumeClaim, PersistentVolume or StorageClass was added or changed. */
  | 'VolumeChange';

/** The nodes of one scheduling cycle. */
export interface ClusterView {
  readonly nodes: readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  readonly namespaceLabels: NamespaceLabels;
  /** Pods nominated to `node` by preemption, waiting for their victims to leave. */
  nominatedPods(node: string): readonly PodInfo[];
  /** The node a pod (by uid) is nominated to, if any. */
  nominatedNodeOf(uid: string): string | undefined;
  /** Pods on the nodes with any pod (anti-)affinity term, and with required anti-affinity terms: 0 lets InterPodAffinity skip its scan. */
  readonly podsWithAffinity: number;
  readonly podsWithRequiredAntiAffinity: number;
}

/** Per-cycle data plugins compute in preFilter/preScore and read in filter/score. */
export class CycleState {
  private readonly data = new Map<string, unknown>();

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  read<T>(key: string): T {
    return this.data.get(key) as T;
  }
}

export interface FilterPlugin {
  readonly name: string;
  /** Cluster events after which a pod this plugin rejected may fit. */
  readonly events: readonly ClusterEvent[];
  /** Prepares per-pod state; returns false when the filter has nothing to check for this pod. */
  preFilter?(pod: PodInfo, cluster: ClusterView, state: CycleState): boolean;
  /** undefined: the pod may run on the node; otherwise why not. */
  filter(pod: PodInfo, node: NodeInfo, state: CycleState): Rejection | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  /** Prepares per-pod state over the feasible nodes; returns false to skip scoring (all equal). */
  preScore?(pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView, state: CycleState): boolean;
  /** The node's score, 0..100 unless normalize maps it there. */
  score(pod: PodInfo, node: NodeInfo, state: CycleState): number;
  /** Maps the raw scores of `nodes` (same order) to 0..100 in place. */
  normalize?(scores: number[], nodes: readonly NodeInfo[], state: CycleState): void;
}

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

export const MAX_NODE_SCORE = 100;
const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/**
 * How many feasible nodes to find before scoring, as upstream's numFeasibleNodesToFind:
 * `percentage` 0 (or undefined) is adaptive.
 */
export function numFeasibleNodesToFind(percentage: number | undefined, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES || percentage === 100) return numAllNodes;
  let p = percentage ?? 0;
  if (p <= 0) p = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_PERCENTAGE);
  const n = Math.trunc((numAllNodes * p) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES);
}

/** Filter state of one pod: what preFilter prepared and which filters apply. */
export interface Prepared {
  readonly state: CycleState;
  readonly filters: readonly FilterPlugin[];
}

export type ScheduleResult =
  | { readonly kind: 'scheduled'; readonly node: string; readonly evaluated: number; readonly feasible: number }
  | { readonly kind: 'unschedulable'; readonly fitError: FitError; readonly plugins: ReadonlySet<string> }
  | { readonly kind: 'error'; readonly message: string };

export interface FrameworkOptions {
  /** Percentage of nodes to find feasible before scoring; 0 or undefined: adaptive (upstream's default). */
  percentageOfNodesToScore?: number;
  /** Random source for tie-breaking (tests pin it). */
  random?: () => number;
}

/** A rejection and the plugin that gave it. */
export interface Verdict {
  rejection: Rejection;
  plugin: string;
}

export class Framework {
  private nextStartNodeIndex = 0;
  private readonly random: () => number;

  constructor(
    readonly filters: readonly FilterPlugin[],
    readonly scores: readonly WeightedScorePlugin[],
    private readonly opts: FrameworkOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
  }

  /** Runs the preFilters: the state for `filter` and the filters that apply to this pod. */
  prepare(pod: PodInfo, cluster: ClusterView): Prepared {
    const state = new CycleState();
    const filters: FilterPlugin[] = [];
    for (const f of this.filters) if (!f.preFilter || f.preFilter(pod, cluster, state)) filters.push(f);
    return { state, filters };
  }

  /** The first rejection of `pod` on `node`, with its plugin; undefined when the pod fits. */
  private verdict(pod: PodInfo, node: NodeInfo, prepared: Prepared): Verdict | undefined {
    for (const f of prepared.filters) {
      const rejection = f.filter(pod, node, prepared.state);
      if (rejection) return { rejection, plugin: f.name };
    }
    return undefined;
  }

  /**
   * Whether `pod` fits `node`, counting the pods nominated there with at least its priority as
   * already present (upstream's RunFilterPluginsWithNominatedPods).
   */
  filterWithNominated(pod: PodInfo, node: NodeInfo, prepared: Prepared, cluster: ClusterView): Verdict | undefined {
    const nominated = cluster.nominatedPods(node.name);
    if (nominated.length === 0) return this.verdict(pod, node, prepared);
    let withNominated: NodeInfo | undefined;
    for (const other of nominated) {
      if (other.uid === pod.uid || other.priority < pod.priority || node.pods.has(other.uid)) continue;
      withNominated ??= node.clone();
      withNominated.addPod(other);
    }
    return this.verdict(pod, withNominated ?? node, prepared);
  }

  /** One scheduling cycle's decision for `pod`. */
  schedule(pod: PodInfo, cluster: ClusterView): ScheduleResult {
    const nodes = cluster.nodes;
    if (nodes.length === 0) return { kind: 'error', message: 'no nodes available to schedule pods' };
    const prepared = this.prepare(pod, cluster);
    const statuses = new Map<string, Rejection>();
    const plugins = new Set<string>();

    const nominatedName = cluster.nominatedNodeOf(pod.uid);
    const nominated = nominatedName ? cluster.node(nominatedName) : undefined;
    if (nominated?.node) {
      const v = this.filterWithNominated(pod, nominated, prepared, cluster);
      if (!v) return { kind: 'scheduled', node: nominated.name, evaluated: 1, feasible: 1 };
    }

    const want = numFeasibleNodesToFind(this.opts.percentageOfNodesToScore, nodes.length);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % nodes.length;
    let processed = 0;
    for (; processed < nodes.length && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % nodes.length]!;
      const v = this.filterWithNominated(pod, node, prepared, cluster);
      if (!v) {
        feasible.push(node);
      } else {
        statuses.set(node.name, v.rejection);
        plugins.add(v.plugin);
      }
    }
    this.nextStartNodeIndex = (start + processed) % nodes.length;

    if (feasible.length === 0) return { kind: 'unschedulable', fitError: new FitError(nodes.length, statuses), plugins };
    if (feasible.length === 1) return { kind: 'scheduled', node: feasible[0]!.name, evaluated: processed, feasible: 1 };
    const totals = this.prioritize(pod, feasible, cluster, prepared.state);
    return { kind: 'scheduled', node: this.selectHost(feasible, totals), evaluated: processed, feasible: feasible.length };
  }

  /** The weighted sum of every score plugin's normalized score, per node of `nodes`. */
  prioritize(pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView, state: CycleState): Float64Array {
    const totals = new Float64Array(nodes.length);
    const scores: number[] = new Array(nodes.length);
    for (const { plugin, weight } of this.scores) {
      if (plugin.preScore && !plugin.preScore(pod, nodes, cluster, state)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(pod, nodes[i]!, state);
      plugin.normalize?.(scores, nodes, state);
      for (let i = 0; i < nodes.length; i++) totals[i] += scores[i]! * weight;
    }
    return totals;
  }

  /** The node with the highest total; among equals, each is equally likely (reservoir sampling). */
  private selectHost(nodes: readonly NodeInfo[], totals: Float64Array): string {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}

/** Upstream's DefaultNormalizeScore: scales to 0..100 by the maximum, optionally reversed. */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
