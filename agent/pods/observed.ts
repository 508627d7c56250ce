/**
 * What the runtime holds for a pod: its sandboxes and every instance (attempt) of its containers,
 * newest first, with full statuses (exit code, reason, times, termination message). Pure helpers
 * over it are what sync.ts and status.ts read; an Observer gathers it.
 */
import type { Logger } from 'pino';
import { RuntimeError, type ContainerRuntime, type ContainerStatus, type SandboxStatus } from '../runtime/runtime.js';
import { readTerminationMessage } from './termination-message.js';

export interface ObservedSandbox extends SandboxStatus {
  /** Addresses CNI gave the sandbox (empty on the host network or before/after networking). */
  podIPs: string[];
}

export interface ObservedPod {
  /** Newest first. */
  sandboxes: ObservedSandbox[];
  /** Every instance of every container, newest first. */
  containers: ContainerStatus[];
}

export const EMPTY_OBSERVATION: ObservedPod = { sandboxes: [], containers: [] };

/** The newest instance of container `name`. */
export function newestInstance(observed: ObservedPod, name: string): ContainerStatus | undefined {
  return observed.containers.find((c) => c.name === name);
}

/** The newest exited instance of container `name`. */
export function newestExited(observed: ObservedPod, name: string): ContainerStatus | undefined {
  return observed.containers.find((c) => c.name === name && c.state === 'exited');
}

/** The sandbox containers run in now: the newest one when it is ready. */
export function readySandbox(observed: ObservedPod): ObservedSandbox | undefined {
  const [latest] = observed.sandboxes;
  return latest?.state === 'ready' ? latest : undefined;
}

/** Containers by creation (the engine reports it to the millisecond), then attempt. */
const newestContainerFirst = (a: ContainerStatus, b: ContainerStatus) => b.createdAt.getTime() - a.createdAt.getTime() || b.attempt - a.attempt;
/** Sandboxes by attempt (their listed creation time has whole seconds only), then creation. */
const newestSandboxFirst = (a: SandboxStatus, b: SandboxStatus) => b.attempt - a.attempt || b.createdAt.getTime() - a.createdAt.getTime();

export interface ObserveDeps {
  runtime: ContainerRuntime;
  /** Pod IPs recorded for a sandbox (network.ts). */
  podIPsOf(podUid: string, sandboxId: string): Promise<string[]>;
  logger: Logger;
}

/**
 * Gathers the runtime's view of pods. Statuses of exited containers never change, so they are
 * kept (with their termination message) and not asked for again; forget() drops a pod's.
 */
export class Observer {
  private readonly exited = new Map<string, ContainerStatus>();
  /** Container and sandbox id → pod uid, as of each pod's last observation. */
  private readonly owners = new Map<string, string>();

  constructor(private readonly deps: ObserveDeps) {}

  async observe(podUid: string): Promise<ObservedPod> {
    const { runtime } = this.deps;
    const [sandboxes, summaries] = await Promise.all([runtime.listPodSandboxes(podUid), runtime.listContainers(podUid)]);
    const observedSandboxes = await Promise.all(sandboxes.map(async (s) => ({ ...s, podIPs: await this.deps.podIPsOf(podUid, s.id) })));
    const live = new Set(summaries.map((s) => s.id));
    for (const id of this.exited.keys()) if (this.exited.get(id)!.pod.uid === podUid && !live.has(id)) this.exited.delete(id);
    const containers = (await Promise.all(summaries.map((s) => this.status(s.id)))).filter((c): c is ContainerStatus => c !== undefined);
    for (const [id, uid] of this.owners) if (uid === podUid) this.owners.delete(id);
    for (const { id } of [...sandboxes, ...summaries]) this.owners.set(id, podUid);
    return { sandboxes: observedSandboxes.sort(newestSandboxFirst), containers: containers.sort(newestContainerFirst) };
  }

  /** The pod a container or sandbox belongs to, when its pod was observed (or it was claimed) since it was created. */
  ownerOf(id: string): string | undefined {
    return this.owners.get(id);
  }

  /**
   * Records that a container or sandbox just created belongs to `podUid`, so that its events (a
   * container that exits at once) find the pod before its next observation.
   */
  claim(id: string, podUid: string): void {
    this.owners.set(id, podUid);
  }

  /** Drops what is kept for a pod. */
  forget(podUid: string): void {
    for (const [id, status] of this.exited) if (status.pod.uid === podUid) this.exited.delete(id);
    for (const [id, uid] of this.owners) if (uid === podUid) this.owners.delete(id);
  }

  private async status(id: string): Promise<ContainerStatus | undefined> {
    const cached = this.exited.get(id);
    if (cached) return cached;
    let status: ContainerStatus;
    try {
      status = await this.deps.runtime.containerStatus(id);
    } catch (err) {
      if (err instanceof RuntimeError && err.code === 'NotFound') return undefined;
      throw err;
    }
    if (status.state !== 'exited') return status;
    const message = await readTerminationMessage(this.deps.runtime, status, this.deps.logger);
    const done = message ? { ...status, message } : status;
    this.exited.set(id, done);
    return done;
  }
}
