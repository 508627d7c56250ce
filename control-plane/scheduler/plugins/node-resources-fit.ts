/**
 * NodeResourcesFit (filter): the node must have room for the pod's requests (cpu, memory,
 * ephemeral storage, extended resources such as nvidia.com/gpu) beside what its pods already
 * request, and a free pod slot. Every shortage is reported ("Insufficient cpu", "Too many pods").
 */
import { rejection, type Rejection } from '../fit-error.js';
import type { FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

/** The shortages of `node` for `pod`, as upstream's fitsRequest; empty when it fits. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) out.push('Too many pods');
  const want = pod.requests;
  const have = node.allocatable;
  const used = node.requested;
  if (want.milliCPU > 0 && want.milliCPU > have.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (want.memory > 0 && want.memory > have.memory - used.memory) out.push('Insufficient memory');
  if (want.ephemeralStorage > 0 && want.ephemeralStorage > have.ephemeralStorage - used.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  if (want.scalars) {
    for (const [name, q] of want.scalars) {
      if (q > 0 && q > have.scalar(name) - used.scalar(name)) out.push(`Insufficient ${name}`);
    }
  }
  return out;
}

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  events: ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete'],
  filter: (pod, node): Rejection | undefined => {
    // Fast path: plain cpu/memory with room to spare (the common case).
    const want = pod.requests;
    if (
      !want.scalars &&
      node.pods.size < node.allowedPodNumber &&
      want.milliCPU <= node.allocatable.milliCPU - node.requested.milliCPU &&
      want.memory <= node.allocatable.memory - node.requested.memory &&
      want.ephemeralStorage <= node.allocatable.ephemeralStorage - node.requested.ephemeralStorage
    ) {
      return undefined;
    }
    const reasons = insufficientResources(pod, node);
    return reasons.length ? rejection(reasons) : undefined;
  },
};
