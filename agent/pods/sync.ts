/**
 * The decision of one pod sync, as upstream's computePodActions (kuberuntime_manager.go): given the
 * pod and what the runtime holds, what to kill, create and start. Pure: the caller applies the
 * actions (executor) and records back-offs.
 *
 * - A missing, dead or address-less sandbox is replaced (everything of the old one killed); with
 *   restartPolicy Never a pod whose containers already ran gets no new one.
 * - Init containers run one at a time in order; a failed one is retried (OnFailure/Always) or
 *   ends the pod (Never).
 * - A stopped container restarts per restartPolicy; a running one is killed (and, unless the
 *   policy is Never, restarted) when its spec changed or its liveness/startup probe failed.
 * - Every (re)start of a container that exited before goes through CrashLoopBackOff: while
 *   in back-off it waits instead of starting.
 * - A pod with nothing left to run is killed (sandbox stopped). Terminal pods only stay killed.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../runtime/runtime.js';
import { formatDuration, inBackOffSince, type BackoffView } from './backoff.js';
import { ANNOTATIONS, containerHash } from './container-config.js';
import { newestExited, newestInstance, type ObservedPod } from './observed.js';

export interface ContainerStart {
  name: string;
  init: boolean;
  /** restartCount of the new instance. */
  attempt: number;
  /** Record a back-off step for `key`, counting from the previous instance's exit. */
  backoff?: { key: string; since: Date };
}

export interface ContainerBackOff {
  name: string;
  init: boolean;
  /** When the back-off ends. */
  until: Date;
  delayMs: number;
  /** The waiting message, as upstream's: `back-off 10s restarting failed container=x pod=y_ns(uid)`. */
  message: string;
}

export type KillReason = 'liveness' | 'startup' | 'changed' | 'unknown';

export interface ContainerKill {
  id: string;
  name: string;
  reason: KillReason;
  /** The Killing event's message. */
  message: string;
}

export interface PodActions {
  /** Stop every container and the sandbox(es). Applied first. */
  killPod: boolean;
  /** Create a sandbox with this attempt (after the kill). */
  createSandbox?: { attempt: number };
  /** An existing sandbox is being replaced (SandboxChanged). */
  sandboxChanged: boolean;
  /** The ready sandbox containers start in, when none is to be created. */
  sandboxId?: string;
  killContainers: ContainerKill[];
  /** In order: at most one init container, or regular containers. */
  start: ContainerStart[];
  backOff: ContainerBackOff[];
}

/** Which probe (if any) declared a container instance failed. */
export type ProbeFailureOf = (containerId: string) => 'liveness' | 'startup' | undefined;

/** The pod as upstream's format.Pod prints it: `name_namespace(uid)`. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

/** The CrashLoopBackOff key of a container. */
export function crashBackoffKey(pod: Pod, name: string): string {
  return `${pod.metadata?.uid}/${name}`;
}

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

function initFailed(status: ContainerStatus): boolean {
  return status.reason === 'OOMKilled' || (status.state === 'exited' && (status.exitCode ?? 0) !== 0) || status.state === 'unknown';
}

/** upstream's findNextInitContainerToRun: the last status seen, the next init container, whether all are done. */
function nextInitContainer(pod: Pod, observed: ObservedPod): { last?: ContainerStatus; next?: Container; done: boolean } {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  if ((pod.spec?.containers ?? []).some((c) => newestInstance(observed, c.name)?.state === 'running')) return { done: true };
  for (let i = inits.length - 1; i >= 0; i--) {
    const status = newestInstance(observed, inits[i]!.name);
    if (status && initFailed(status)) return { last: status, next: inits[i], done: false };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const status = newestInstance(observed, inits[i]!.name);
    if (!status) continue;
    if (status.state === 'running') return { done: false };
    if (status.state === 'exited') return i === inits.length - 1 ? { done: true } : { next: inits[i + 1], done: false };
  }
  return { next: inits[0], done: false };
}

/** upstream's ShouldContainerBeRestarted. */
export function shouldRestart(pod: Pod, status: ContainerStatus | undefined): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (!status) return true;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && status.exitCode === 0) return false;
  return true;
}

export function computePodActions(pod: Pod, observed: ObservedPod, now: Date, backoff: BackoffView, probeFailure: ProbeFailureOf): PodActions {
  const actions: PodActions = { killPod: false, sandboxChanged: false, killContainers: [], start: [], backOff: [] };
  if (isTerminalPhase(pod.status?.phase)) return { ...actions, killPod: true };
  const spec = pod.spec ?? { containers: [] };
  const policy = spec.restartPolicy ?? 'Always';
  const containers = spec.containers ?? [];
  const inits = spec.initContainers ?? [];

  const start = (container: Container, init: boolean) => {
    const last = newestInstance(observed, container.name);
    const attempt = last ? last.attempt + 1 : 0;
    const exited = newestExited(observed, container.name);
    if (!exited) {
      actions.start.push({ name: container.name, init, attempt });
      return;
    }
    const key = crashBackoffKey(pod, container.name);
    const since = exited.finishedAt ?? exited.createdAt;
    const entry = backoff.get(key);
    if (inBackOffSince(entry, since.getTime(), now.getTime(), backoff.config)) {
      actions.backOff.push({
        name: container.name,
        init,
        until: new Date(since.getTime() + entry!.delayMs),
        delayMs: entry!.delayMs,
        message: `back-off ${formatDuration(entry!.delayMs)} restarting failed container=${container.name} pod=${formatPod(pod)}`,
      });
      return;
    }
    actions.start.push({ name: container.name, init, attempt, backoff: { key, since } });
  };
  const kill = (status: ContainerStatus, reason: KillReason, message: string) =>
    actions.killContainers.push({ id: status.id, name: status.name, reason, message });

  // The sandbox.
  const [latest] = observed.sandboxes;
  const ready = observed.sandboxes.filter((s) => s.state === 'ready').length;
  const needsSandbox = !latest || ready > 1 || latest.state !== 'ready' || (!spec.hostNetwork && latest.podIPs.length === 0);
  if (needsSandbox) {
    const attempt = latest ? latest.attempt + 1 : 0;
    actions.killPod = true;
    actions.sandboxChanged = latest !== undefined;
    if (policy === 'Never' && attempt !== 0 && observed.containers.length > 0) return actions;
    const toStart = containers.filter((c) => {
      const s = newestInstance(observed, c.name);
      return !(policy === 'OnFailure' && s?.state === 'exited' && s.exitCode === 0);
    });
    const initialized = containers.some((c) => {
      const state = newestInstance(observed, c.name)?.state;
      return state === 'created' || state === 'running' || state === 'exited';
    });
    if (initialized && toStart.length === 0) return actions;
    actions.createSandbox = { attempt };
    if (inits.length > 0 && !initialized) start(inits[0]!, true);
    else for (const c of toStart) start(c, false);
    return actions;
  }
  actions.sandboxId = latest.id;

  // Init containers.
  const init = nextInitContainer(pod, observed);
  if (!init.done) {
    if (init.next) {
      if (init.last && initFailed(init.last) && policy === 'Never') {
        actions.killPod = true;
      } else {
        if (init.last?.state === 'unknown') kill(init.last, 'unknown', `Stopping container ${init.last.name}`);
        start(init.next, true);
      }
    }
    return actions;
  }

  // Regular containers.
  let keep = 0;
  for (const c of containers) {
    const status = newestInstance(observed, c.name);
    if (status?.state !== 'running') {
      if (shouldRestart(pod, status)) {
        start(c, false);
        if (status?.state === 'unknown') kill(status, 'unknown', `Stopping container ${c.name}`);
      }
      continue;
    }
    let restart = policy !== 'Never';
    let reason: KillReason;
    let message: string;
    const hash = status.annotations[ANNOTATIONS.hash];
    const failed = probeFailure(status.id);
    if (hash && hash !== containerHash(c)) {
      reason = 'changed';
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (failed) {
      reason = failed;
      message = `Container ${c.name} failed ${failed} probe`;
    } else {
      keep++;
      continue;
    }
    if (restart) {
      message += ', will be restarted';
      start(c, false);
    }
    kill(status, reason, message);
  }
  if (keep === 0 && actions.start.length === 0 && actions.backOff.length === 0) actions.killPod = true;
  return actions;
}
