/**
 * The default profile, in upstream's order and with its weights: filters run in this order (a
 * node's reason is the first plugin that rejects it), scores are weighted as kube-scheduler's
 * default configuration (TaintToleration 3, NodeAffinity 2, PodTopologySpread 2,
 * InterPodAffinity 2, NodeResourcesFit/LeastAllocated 1, BalancedAllocation 1).
 */
import type { FilterPlugin, WeightedScorePlugin } from './framework.js';
import { balancedAllocation } from './plugins/balanced-allocation.js';
import { interPodAffinity, interPodAffinityScore } from './plugins/inter-pod-affinity.js';
import { leastAllocated } from './plugins/least-allocated.js';
import { nodeAffinity, nodeAffinityScore } from './plugins/node-affinity.js';
import { nodeName } from './plugins/node-name.js';
import { nodePorts } from './plugins/node-ports.js';
import { nodeResourcesFit } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { podTopologySpread, podTopologySpreadScore } from './plugins/pod-topology-spread.js';
import { taintToleration, taintTolerationScore } from './plugins/taint-toleration.js';

export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  podTopologySpread,
  interPodAffinity,
];

export const DEFAULT_SCORES: readonly WeightedScorePlugin[] = [
  { plugin: taintTolerationScore, weight: 3 },
  { plugin: nodeAffinityScore, weight: 2 },
  { plugin: leastAllocated, weight: 1 },
  { plugin: podTopologySpreadScore, weight: 2 },
  { plugin: interPodAffinityScore, weight: 2 },
  { plugin: balancedAllocation, weight: 1 },
];
