/**
 * NodeResourcesLeastAllocated (score; upstream's NodeResourcesFit score with the LeastAllocated
 * strategy): the more cpu and memory a node would have left after taking the pod, the higher it
 * scores: per resource (allocatable - requested) * 100 / allocatable, averaged. Requests count with
 * upstream's non-zero defaults, so pods that request nothing still spread.
 */
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';

function leastRequested(requested: number, allocatable: number): number {
  if (requested > allocatable) return 0;
  return Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  score: (pod, node) => {
    let sum = 0;
    let n = 0;
    const cpu = node.allocatable.milliCPU;
    const memory = node.allocatable.memory;
    if (cpu > 0) {
      sum += leastRequested(node.nonZeroCpu + pod.nonZeroCpu, cpu);
      n++;
    }
    if (memory > 0) {
      sum += leastRequested(node.nonZeroMemory + pod.nonZeroMemory, memory);
      n++;
    }
    return n === 0 ? 0 : Math.trunc(sum / n);
  },
};
