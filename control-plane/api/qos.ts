/**
 * A pod's quality-of-service class, as upstream computes it from its containers' cpu and memory
 * requests and limits (init containers included):
 * - BestEffort: no container sets any cpu or memory request or limit;
 * - Guaranteed: every container limits both cpu and memory, and its requests (defaulting to the
 *   limits) equal them;
 * - Burstable: everything else.
 */
import { parseQuantity } from './quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

export function qosClassOf(spec: any): QOSClass {
  const containers: any[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = c?.resources?.requests ?? {};
    const limits = c?.resources?.limits ?? {};
    for (const r of COMPUTE) {
      const limit = limits[r];
      const request = requests[r] ?? limit;
      if (limit !== undefined || request !== undefined) anySet = true;
      if (limit === undefined || request === undefined || !sameQuantity(request, limit)) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function sameQuantity(a: string | number, b: string | number): boolean {
  try {
    return parseQuantity(a) === parseQuantity(b);
  } catch {
    return false;
  }
}
