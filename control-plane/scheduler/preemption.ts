/**
 * Preemption (upstream's DefaultPreemption PostFilter), run when a pod fits no node. Pure: it
 * only decides; the scheduler evicts.
 *
 * - A pod with preemptionPolicy Never, or whose nominated node still has lower-priority pods
 *   terminating because of an earlier preemption, does not preempt.
 * - Only nodes whose rejection removing pods could cure are tried (not, e.g., a node-affinity
 *   mismatch). On each, all lower-priority pods are removed in simulation; if the pod then passes
 *   every filter, the victims are reprieved one by one, most important first, as long as the pod
 *   still fits: what remains are the victims.
 * - Among the candidate nodes (at least 10 % of the tried nodes or 100) the one with the lowest
 *   highest victim priority wins, then the smallest sum of victim priorities, then the fewest
 *   victims, then the latest start of its most important victims. PodDisruptionBudgets are not
 *   considered.
 */
import { FitError, rejection, type Rejection } from './fit-error.js';
import type { ClusterView, Framework } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

export type PreemptionOutcome =
  /** Evict `victims` from `node` and nominate the pod to it. */
  | { readonly kind: 'nominated'; readonly node: string; readonly victims: readonly PodInfo[] }
  /** No preemption: `message` goes after the FitError's reasons; `clearNomination` drops an earlier nomination. */
  | { readonly kind: 'failed'; readonly message: string; readonly clearNomination: boolean };

const NOT_HELPFUL = rejection('Preemption is not helpful for scheduling', true);
const NO_VICTIMS = rejection('No preemption victims found for incoming pod', true);
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** Upstream's MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || a.startTime - b.startTime;
}

/** Whether the pod is being deleted because the scheduler preempted it. */
function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.terminating) return false;
  return (p.pod.status?.conditions ?? []).some((c: any) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');
}

/** `cluster` with `replacement` in place of the node of the same name (its node list built on first use). */
function withNode(cluster: ClusterView, replacement: NodeInfo): ClusterView {
  let nodes: NodeInfo[] | undefined;
  return {
    get nodes() {
      return (nodes ??= cluster.nodes.map((n) => (n.name === replacement.name ? replacement : n)));
    },
    node: (name) => (name === replacement.name ? replacement : cluster.node(name)),
    namespaceLabels: cluster.namespaceLabels,
    nominatedPods: (name) => cluster.nominatedPods(name),
    nominatedNodeOf: (uid) => cluster.nominatedNodeOf(uid),
    podsWithAffinity: cluster.podsWithAffinity,
    podsWithRequiredAntiAffinity: cluster.podsWithRequiredAntiAffinity,
  };
}

interface Candidate {
  node: string;
  /** Most important first. */
  victims: PodInfo[];
}

export class Preemptor {
  constructor(
    private readonly framework: Framework,
    private readonly random: () => number = Math.random,
  ) {}

  /** What to do for `pod`, which `fitError` says fits no node. */
  preempt(pod: PodInfo, cluster: ClusterView, fitError: FitError): PreemptionOutcome {
    const ineligible = this.ineligibility(pod, cluster, fitError);
    if (ineligible) return { kind: 'failed', message: `preemption: ${ineligible}`, clearNomination: false };

    const potential = cluster.nodes.filter((n) => {
      const status = fitError.statuses.get(n.name);
      return status !== undefined && !status.unresolvable;
    });
    const statuses = new Map<string, Rejection>();
    const candidates: Candidate[] = [];
    if (potential.length > 0) {
      const wanted = Math.min(potential.length, Math.max(Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE));
      const offset = Math.floor(this.random() * potential.length);
      for (let i = 0; i < potential.length && candidates.length < wanted; i++) {
        const node = potential[(offset + i) % potential.length]!;
        const result = this.selectVictims(pod, node, cluster);
        if (Array.isArray(result)) candidates.push({ node: node.name, victims: result });
        else statuses.set(node.name, result);
      }
    }
    if (candidates.length === 0) {
      const message = new FitError(cluster.nodes.length, statuses, NOT_HELPFUL).message();
      return { kind: 'failed', message: `preemption: ${message}`, clearNomination: true };
    }
    const best = pickCandidate(candidates);
    return { kind: 'nominated', node: best.node, victims: best.victims };
  }

  private ineligibility(pod: PodInfo, cluster: ClusterView, fitError: FitError): string | undefined {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = cluster.nominatedNodeOf(pod.uid);
    if (!nominated || fitError.statuses.get(nominated)?.unresolvable) return undefined;
    const node = cluster.node(nominated);
    for (const p of node?.pods.values() ?? []) {
      if (p.priority < pod.priority && terminatingByPreemption(p)) return 'not eligible due to a terminating pod on the nominated node.';
    }
    return undefined;
  }

  /**
   * The fewest lower-priority pods to remove from `node` for `pod` to fit there (most important
   * first), or why no removal helps.
   */
  selectVictims(pod: PodInfo, node: NodeInfo, cluster: ClusterView): PodInfo[] | Rejection {
    const potential = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (potential.length === 0) return NO_VICTIMS;
    const sim = node.clone();
    for (const p of potential) sim.removePod(p.uid);
    const view = withNode(cluster, sim);
    const verdict = () => this.framework.filterWithNominated(pod, sim, this.framework.prepare(pod, view), view);
    const first = verdict();
    if (first) return first.rejection;
    potential.sort(moreImportant);
    const victims: PodInfo[] = [];
    for (const p of potential) {
      sim.addPod(p);
      if (verdict()) {
        sim.removePod(p.uid);
        victims.push(p);
      }
    }
    return victims;
  }
}

/** Upstream's pickOneNodeForPreemption over candidates whose victims are sorted most important first. */
export function pickCandidate(candidates: readonly Candidate[]): Candidate {
  const stages: ((c: Candidate) => number)[] = [
    // lowest highest-priority victim
    (c) => -(c.victims[0]?.priority ?? -Infinity),
    // smallest sum of priorities (shifted so that negative priorities count as small)
    (c) => -c.victims.reduce((sum, v) => sum + v.priority + 2 ** 31, 0),
    // fewest victims
    (c) => -c.victims.length,
    // latest start among the highest-priority victims
    (c) => {
      const top = c.victims[0]?.priority;
      let earliest = Infinity;
      for (const v of c.victims) if (v.priority === top && v.startTime < earliest) earliest = v.startTime;
      return earliest;
    },
  ];
  let remaining = [...candidates];
  for (const score of stages) {
    if (remaining.length === 1) break;
    const scores = remaining.map(score);
    const best = Math.max(...scores);
    remaining = remaining.filter((_, i) => scores[i] === best);
  }
  return remaining[0]!;
}
