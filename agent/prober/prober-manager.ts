/**
 * The probe workers of this node: one per (pod, container, probe type) for every container that
 * declares the probe, while the pod is not terminal. Pod syncs call update() with the current
 * instances; workers write the shared ProbeResults and call onChange(podUid) when a settled
 * result changes, so the pod worker syncs again (kills on liveness failure, updates Ready).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { ProbeResults, ProbeType } from './results.js';
import { ProbeWorker, type ProbeTarget } from './worker.js';

export interface ProberDeps {
  runtime: ContainerRuntime;
  results: ProbeResults;
  /** A settled result of one of the pod's probes changed. */
  onChange(podUid: string): void;
  /** Records a Warning Unhealthy event about a container of the pod. */
  warn(pod: Pod, container: Container, message: string): void;
  logger: Logger;
}

const PROBES: [ProbeType, 'livenessProbe' | 'readinessProbe' | 'startupProbe'][] = [
  ['startup', 'startupProbe'],
  ['liveness', 'livenessProbe'],
  ['readiness', 'readinessProbe'],
];

export class ProberManager {
  /** pod uid → `<container>/<type>` → worker. */
  private readonly pods = new Map<string, Map<string, ProbeWorker>>();
  private readonly log: Logger;

  constructor(private readonly deps: ProberDeps) {
    this.log = deps.logger.child({ component: 'prober' });
  }

  /**
   * Matches the workers to `pod` and hands each its container's current instance (by container
   * name; absent = none yet). A terminal pod loses its workers.
   */
  update(pod: Pod, instances: ReadonlyMap<string, ProbeTarget>): void {
    const uid = pod.metadata!.uid!;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.removePod(uid);
      return;
    }
    let workers = this.pods.get(uid);
    for (const container of pod.spec?.containers ?? []) {
      for (const [type, field] of PROBES) {
        const probe = container[field];
        if (!probe) continue;
        const key = `${container.name}/${type}`;
        if (!workers) this.pods.set(uid, (workers = new Map()));
        let worker = workers.get(key);
        if (!worker) {
          worker = new ProbeWorker(type, container, probe, {
            runtime: this.deps.runtime,
            results: this.deps.results,
            onChange: () => {
              if (type === 'startup') for (const [k, w] of workers!) if (k.startsWith(`${container.name}/`) && w !== worker) w.kick();
              this.deps.onChange(uid);
            },
            warn: (message) => this.deps.warn(pod, container, message),
            logger: this.log,
          });
          workers.set(key, worker);
        }
        worker.update(instances.get(container.name));
      }
    }
  }

  /** Stops the pod's workers and forgets their results. */
  removePod(podUid: string, containerIds: Iterable<string> = []): void {
    for (const worker of this.pods.get(podUid)?.values() ?? []) worker.stop();
    this.pods.delete(podUid);
    for (const id of containerIds) this.deps.results.remove(id);
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }
}
