/**
 * Stopping a container as upstream's killContainer: a Killing event, the preStop hook (bounded by
 * the grace period, whose remainder is what is left for SIGTERM), then the runtime's stop: SIGTERM,
 * and SIGKILL when the remaining grace (at least 2 s) runs out. Blocks until the container stopped.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js';
import type { PodEvents } from './events.js';
import { runHook } from './lifecycle.js';
import type { KillReason } from './sync.js';

/** Containers always get at least this long between SIGTERM and SIGKILL. */
export const MIN_GRACE_SECONDS = 2;

/** upstream's setTerminationGracePeriod: deletion grace, else the probe's own for probe kills, else the pod's. */
export function gracePeriodFor(pod: Pod, container: Container | undefined, reason?: KillReason): number {
  if (pod.metadata?.deletionGracePeriodSeconds != null) return pod.metadata.deletionGracePeriodSeconds;
  const probe = reason === 'liveness' ? container?.livenessProbe : reason === 'startup' ? container?.startupProbe : undefined;
  if (probe?.terminationGracePeriodSeconds != null) return probe.terminationGracePeriodSeconds;
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export interface KillDeps {
  runtime: ContainerRuntime;
  events: PodEvents;
  logger: Logger;
}

export interface KillOptions {
  /** The Killing event's message; default `Stopping container <name>`. */
  message?: string;
  reason?: KillReason;
  podIP: string;
}

/** Stops one running instance of a container of `pod`. Rejects only when the runtime's stop fails. */
export async function killContainer(deps: KillDeps, pod: Pod, status: ContainerStatus, opts: KillOptions): Promise<void> {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === status.name);
  let grace = gracePeriodFor(pod, spec, opts.reason);
  deps.events.container(pod, status.name, 'Normal', 'Killing', opts.message ?? `Stopping container ${status.name}`);
  const preStop = spec?.lifecycle?.preStop;
  if (preStop && grace > 0 && status.state === 'running') {
    const started = Date.now();
    const failure = await runHook(pod, spec!, preStop, { runtime: deps.runtime, containerId: status.id, podIP: opts.podIP }, grace);
    if (failure) deps.events.container(pod, status.name, 'Warning', 'FailedPreStopHook', failure);
    grace -= Math.floor((Date.now() - started) / 1000);
  }
  grace = Math.max(grace, MIN_GRACE_SECONDS);
  deps.logger.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container: status.name, grace }, 'stopping container');
  await deps.runtime.stopContainer(status.id, grace);
}
