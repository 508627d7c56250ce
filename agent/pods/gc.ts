/**
 * Garbage of a live pod: container instances and sandboxes no longer needed. Per container the
 * newest instances are kept (the current one and the previous one, for `kubectl logs --previous`
 * and lastState); older stopped ones go. An old sandbox goes once it is stopped and none of the
 * kept instances lives in it. Pure.
 */
import type { ContainerStatus } from '../runtime/runtime.js';
import type { ObservedPod, ObservedSandbox } from './observed.js';

/** How many instances of each container are kept. */
export const INSTANCES_KEPT = 2;

export function garbage(observed: ObservedPod, keep: number = INSTANCES_KEPT): { containers: ContainerStatus[]; sandboxes: ObservedSandbox[] } {
  const seen = new Map<string, number>();
  const containers: ContainerStatus[] = [];
  for (const c of observed.containers) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    if (n > keep && c.state !== 'running') containers.push(c);
  }
  const removed = new Set(containers.map((c) => c.id));
  const used = new Set(observed.containers.filter((c) => !removed.has(c.id)).map((c) => c.sandboxId));
  const sandboxes = observed.sandboxes.slice(1).filter((s) => s.state !== 'ready' && !used.has(s.id));
  return { containers, sandboxes };
}
