/**
 * NodeResourcesBalancedAllocation (score): nodes whose cpu and memory would be used in similar
 * fractions after taking the pod score higher: (1 - |cpuFraction - memoryFraction| / 2) * 100,
 * fractions capped at 1. Skipped for pods that request neither (upstream's best-effort rule).
 */
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  preScore: (pod) => pod.requests.milliCPU > 0 || pod.requests.memory > 0,
  score: (pod, node) => {
    const cpu = node.allocatable.milliCPU;
    const memory = node.allocatable.memory;
    // With one resource (or none) there is nothing to balance: the deviation is 0.
    if (cpu <= 0 || memory <= 0) return MAX_NODE_SCORE;
    const cpuFraction = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / cpu);
    const memoryFraction = Math.min(1, (node.requested.memory + pod.requests.memory) / memory);
    return Math.trunc((1 - Math.abs(cpuFraction - memoryFraction) / 2) * MAX_NODE_SCORE);
  },
};
