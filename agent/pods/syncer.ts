/**
 * The three things a pod worker does, each level-based (observe the runtime, decide, act, report):
 * - sync(): make a pod that should run match its spec — volumes, then computePodActions (sync.ts)
 *   applied in upstream's order: kill the pod or single containers, create the sandbox (cgroup,
 *   DNS, CNI, /etc/hosts), start an init container or the regular ones (image, config, create,
 *   start, postStart), with events; then status;
 * - terminate(): a pod being deleted — stop every container gracefully (preStop, SIGTERM, grace,
 *   SIGKILL), stop the sandbox, report the terminal status, delete the pod from the API
 *   (grace 0, uid precondition);
 * - cleanup(): a pod gone from the API (or never known: orphans) — remove containers, network,
 *   sandboxes, volumes and cgroup.
 * The status is PATCHed (merge, /status) only when it differs from what was last written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { qosClassOf, type QOSClass } from '../../control-plane/api/qos.js';
import { RESOURCES } from '../../control-plane/api/registry.js';
import { isConflict, isNotFound, type ApiClient } from '../../control-plane/client/api-client.js';
import type { PodCgroups } from '../cgroups/index.js';
import type { ProberManager } from '../prober/prober-manager.js';
import type { ProbeResults } from '../prober/results.js';
import type { ProbeTarget } from '../prober/worker.js';
import { RuntimeError, type ContainerRuntime, type DNSConfig, type PodIdentity, type PortMapping } from '../runtime/runtime.js';
import type { NodeAllocatable } from '../volumes/downward.js';
import type { ConfigSource } from '../volumes/sources.js';
import { podDir, VolumeSetupError, type MountedVolume, type VolumeManager } from '../volumes/volume-manager.js';
import type { Backoff } from './backoff.js';
import { buildContainerConfig, stableJSON } from './container-config.js';
import { managedHostsFile, podDNSConfig, podHostname, type ClusterDNS } from './dns.js';
import { containerEnv } from './env.js';
import type { PodEvents } from './events.js';
import { garbage } from './gc.js';
import { ImageError, type ImageManager } from './images.js';
import { killContainer, MIN_GRACE_SECONDS } from './kill.js';
import { runHook } from './lifecycle.js';
import type { PodNetwork } from './network.js';
import type { NodeFacts } from './node-facts.js';
import { EMPTY_OBSERVATION, readySandbox, type ObservedPod, type Observer } from './observed.js';
import type { SyncResult } from './pod-worker.js';
import { podCgroupLimits } from './resources.js';
import { podSysctls } from './security.js';
import { computePodStatus } from './status.js';
import { computePodActions, formatPod, isTerminalPhase, type ContainerStart } from './sync.js';
import { createTerminationMessageFile } from './termination-message.js';

const pods = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;

/** Status fields the kubelet owns that may disappear (sent as null so a merge patch removes them). */
const NULLABLE_STATUS_FIELDS = ['hostIP', 'hostIPs', 'podIP', 'podIPs', 'initContainerStatuses'] as const;

/** How soon a pod whose volumes or sandbox failed (or whose containers outlived a kill) is tried again. */
const SETUP_RETRY_MS = 2000;

/** What the agent remembers about one pod between syncs. */
export interface PodState {
  /** The pod as last seen in the API (kept after it is gone, for cleanup). */
  pod?: Pod;
  /** Why containers wait, from the last attempt to start them. */
  waiting: Map<string, { reason: string; message?: string }>;
  /** The status last written. */
  lastStatus?: PodStatus;
  observed: ObservedPod;
  /** The volumes of the last successful setup. */
  volumes?: Map<string, MountedVolume>;
  /** One-time warnings already recorded. */
  warned: Set<string>;
}

export function newPodState(): PodState {
  return { waiting: new Map(), observed: EMPTY_OBSERVATION, warned: new Set() };
}

/** Whether a container start ended with the container running, and when to try again (image pull back-off). */
interface StartOutcome {
  started: boolean;
  retryAfterMs?: number;
}

/** A container created and ready to start, or the outcome of failing to get there. */
type Prepared = { container: Container; id: string } | { outcome: StartOutcome };

const NETWORK_FIELDS = new Set(['status.podIP', 'status.podIPs']);

/**
 * Whether the containers of `starts` can be created while the sandbox's network is being set up:
 * nothing they are created with depends on it — no environment variable from the pod's addresses,
 * no downwardAPI or projected volume (rewritten with the addresses once known) — and the pod has
 * its own network (a host-network sandbox needs no setup to wait for).
 */
export function preparableEarly(pod: Pod, starts: ContainerStart[]): boolean {
  if (starts.length === 0 || pod.spec?.hostNetwork) return false;
  if ((pod.spec?.volumes ?? []).some((v) => v.downwardAPI || v.projected)) return false;
  const names = new Set(starts.map((s) => s.name));
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].filter((c) => names.has(c.name));
  return !containers.some((c) => (c.env ?? []).some((e) => NETWORK_FIELDS.has(e.valueFrom?.fieldRef?.fieldPath ?? '')));
}

export interface SyncerDeps {
  client: ApiClient;
  runtime: ContainerRuntime;
  runtimeName: string;
  cgroups: PodCgroups;
  network: PodNetwork;
  volumes: VolumeManager;
  sources: ConfigSource;
  images: ImageManager;
  events: PodEvents;
  prober: ProberManager;
  results: ProbeResults;
  observer: Observer;
  crashBackoff: Backoff;
  nodeFacts: NodeFacts;
  dataDir: string;
  dns?: ClusterDNS;
  hostDNS(): Promise<DNSConfig>;
  logger: Logger;
}

const identityOf = (pod: Pod): PodIdentity => ({ uid: pod.metadata!.uid!, name: pod.metadata!.name!, namespace: pod.metadata!.namespace ?? 'default' });
const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Where probes and hooks reach the pod: its address, or loopback on the host network. */
function reachableIP(pod: Pod, podIPs: string[]): string {
  return podIPs[0] ?? (pod.spec?.hostNetwork ? '127.0.0.1' : '');
}

/** The addresses the downward API shows: a host-network pod has the host's. */
function addressesOf(pod: Pod, podIPs: string[], hostIPs: string[]) {
  return { podIPs: pod.spec?.hostNetwork ? hostIPs : podIPs, hostIPs };
}

function portMappings(pod: Pod): PortMapping[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.hostPort)
      .map((p) => ({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort!, ...(p.hostIP ? { hostIP: p.hostIP } : {}) })),
  );
}

export class PodSyncer {
  private readonly log: Logger;

  constructor(private readonly deps: SyncerDeps) {
    this.log = deps.logger.child({ component: 'pod-syncer' });
  }

  /** One pass for a pod that should run. Rejects on runtime/API failures (the worker retries). */
  async sync(pod: Pod, st: PodState): Promise<SyncResult> {
    const { deps } = this;
    const uid = pod.metadata!.uid!;
    const facts = await deps.nodeFacts.get();
    st.observed = await deps.observer.observe(uid);
    this.reportOOMKills(pod, st);

    if (isTerminalPhase(pod.status?.phase) || isTerminalPhase(st.lastStatus?.phase)) {
      if (await this.killPod(pod, st.observed)) st.observed = await deps.observer.observe(uid);
      deps.prober.removePod(uid, st.observed.containers.map((c) => c.id));
      await this.writeStatus(pod, st, false);
      return {};
    }

    let volumes = await this.setUpVolumes(pod, st, readySandbox(st.observed)?.podIPs ?? [], facts.hostIPs, facts.allocatable);
    if (!volumes) {
      await this.writeStatus(pod, st, false);
      return { requeueAfterMs: SETUP_RETRY_MS };
    }

    const now = new Date();
    const actions = computePodActions(pod, st.observed, now, deps.crashBackoff, (id) => deps.results.failure(id));
    let acted = false;
    let requeueAfterMs: number | undefined;
    const later = (ms: number) => (requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms));

    if (actions.killPod) {
      if (actions.sandboxChanged && actions.createSandbox) deps.events.pod(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      acted = (await this.killPod(pod, st.observed)) || acted;
    }
    const podIP = reachableIP(pod, readySandbox(st.observed)?.podIPs ?? []);
    await Promise.all(
      actions.killContainers.map(async (k) => {
        const status = st.observed.containers.find((c) => c.id === k.id)!;
        await killContainer(this.killDeps(), pod, status, { message: k.message, reason: k.reason, podIP });
        acted = true;
      }),
    );

    let sandboxId = actions.sandboxId;
    let podIPs = readySandbox(st.observed)?.podIPs ?? [];
    let prepared = new Map<string, Prepared>();
    if (actions.createSandbox) {
      // Containers that need nothing from the network are created while CNI wires the sandbox.
      const early = preparableEarly(pod, actions.start) ? actions.start : [];
      let preparing: Promise<Map<string, Prepared>> | undefined;
      const prepareEarly = (id: string) => (preparing = this.prepareAll(pod, st, early, id, volumes!, facts.hostIPs, facts.allocatable));
      try {
        ({ sandboxId, podIPs } = await this.createSandbox(pod, actions.createSandbox.attempt, early.length > 0 ? prepareEarly : undefined));
      } catch (err) {
        if (err instanceof RuntimeError && err.code === 'Unavailable') throw err;
        st.observed = await deps.observer.observe(uid);
        await this.writeStatus(pod, st, false);
        return { requeueAfterMs: SETUP_RETRY_MS };
      }
      prepared = (await preparing) ?? prepared;
      acted = true;
      if ((pod.spec?.volumes ?? []).some((v) => v.downwardAPI || v.projected)) {
        volumes = (await this.setUpVolumes(pod, st, podIPs, facts.hostIPs, facts.allocatable)) ?? volumes;
      }
    }

    for (const b of actions.backOff) {
      st.waiting.set(b.name, { reason: 'CrashLoopBackOff', message: b.message });
      deps.events.container(pod, b.name, 'Warning', 'BackOff', `Back-off restarting failed container ${b.name} in pod ${formatPod(pod)}`);
      later(Math.max(0, b.until.getTime() - now.getTime()));
    }
    for (const start of actions.start) {
      const outcome = await this.startContainer(pod, st, start, sandboxId!, podIPs, volumes, facts.hostIPs, facts.allocatable, prepared.get(start.name));
      acted = true;
      if (outcome.retryAfterMs !== undefined) later(outcome.retryAfterMs);
      if (!outcome.started && start.init) break;
    }

    if (acted) st.observed = await deps.observer.observe(uid);
    await this.collectGarbage(st.observed);
    await this.writeStatus(pod, st, false);
    this.updateProbers(pod, st.observed);
    return requeueAfterMs === undefined ? {} : { requeueAfterMs };
  }

  /** A pod being deleted: stops it gracefully, reports the terminal status, removes it from the API. */
  async terminate(pod: Pod, st: PodState): Promise<SyncResult> {
    const { deps } = this;
    const uid = pod.metadata!.uid!;
    st.observed = await deps.observer.observe(uid);
    if (await this.killPod(pod, st.observed)) st.observed = await deps.observer.observe(uid);
    if (st.observed.containers.some((c) => c.state === 'running')) return { requeueAfterMs: SETUP_RETRY_MS };
    deps.prober.removePod(uid, st.observed.containers.map((c) => c.id));
    await this.writeStatus(pod, st, true);
    try {
      await deps.client.delete(pods, pod.metadata!.namespace, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
      this.log.debug({ pod: `${pod.metadata!.namespace}/${pod.metadata!.name}` }, 'terminated pod deleted from the API');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    return {};
  }

  /** A pod no longer in the API (or never known): removes everything of it. Idempotent. */
  async cleanup(uid: string, st: PodState): Promise<SyncResult> {
    const { deps } = this;
    const observed = await deps.observer.observe(uid);
    deps.prober.removePod(uid, observed.containers.map((c) => c.id));
    await Promise.all(observed.containers.filter((c) => c.state === 'running').map((c) => deps.runtime.stopContainer(c.id, MIN_GRACE_SECONDS)));
    for (const sandbox of observed.sandboxes) {
      await deps.network.tearDown(sandbox.pod, sandbox.id, sandbox.netnsPath);
      await deps.runtime.stopPodSandbox(sandbox.id);
      await deps.runtime.removePodSandbox(sandbox.id);
    }
    for (const c of observed.containers) await deps.runtime.removeContainer(c.id);
    await deps.volumes.tearDown(uid);
    const classes: QOSClass[] = st.pod ? [qosClassOf(st.pod.spec)] : ['Guaranteed', 'Burstable', 'BestEffort'];
    for (const qos of classes) await deps.cgroups.removePod(uid, qos);
    deps.observer.forget(uid);
    deps.crashBackoff.forgetPrefix(`${uid}/`);
    deps.images.forget(uid);
    if (observed.sandboxes.length + observed.containers.length > 0) this.log.info({ pod: uid, name: st.pod?.metadata?.name }, 'pod removed from the node');
    return { done: true };
  }

  /** One Warning OOMKilling per container instance the kernel killed for its memory limit. */
  private reportOOMKills(pod: Pod, st: PodState): void {
    const ids = new Set(st.observed.containers.map((c) => c.id));
    for (const key of st.warned) if (key.startsWith('oom/') && !ids.has(key.slice(4))) st.warned.delete(key);
    for (const c of st.observed.containers) {
      if (c.reason !== 'OOMKilled' || st.warned.has(`oom/${c.id}`)) continue;
      st.warned.add(`oom/${c.id}`);
      const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === c.name);
      const limit = (spec?.resources?.limits as Record<string, string> | undefined)?.memory;
      this.deps.events.container(pod, c.name, 'Warning', 'OOMKilling', `Memory cgroup out of memory: container "${c.name}" exceeded its memory limit${limit ? ` (${limit})` : ''} and was killed`);
    }
  }

  private killDeps() {
    return { runtime: this.deps.runtime, events: this.deps.events, logger: this.log };
  }

  /**
   * Stops every running container (in parallel, gracefully), then tears down the network of each
   * sandbox and stops them. Resolves true when it changed anything.
   */
  private async killPod(pod: Pod, observed: ObservedPod): Promise<boolean> {
    const running = observed.containers.filter((c) => c.state === 'running');
    const podIP = reachableIP(pod, readySandbox(observed)?.podIPs ?? []);
    await Promise.all(running.map((c) => killContainer(this.killDeps(), pod, c, { podIP })));
    let changed = running.length > 0;
    for (const sandbox of observed.sandboxes) {
      if (sandbox.podIPs.length > 0 || sandbox.state === 'ready') {
        await this.deps.network.tearDown(sandbox.pod, sandbox.id, sandbox.netnsPath);
        changed = true;
      }
      if (sandbox.state === 'ready') await this.deps.runtime.stopPodSandbox(sandbox.id);
    }
    return changed;
  }

  /**
   * Sets up (refreshes) the pod's volumes. A failure is a FailedMount event per volume; the pod
   * then goes on with the volumes of its last successful setup, or, never set up, gets undefined.
   */
  private async setUpVolumes(pod: Pod, st: PodState, podIPs: string[], hostIPs: string[], allocatable: NodeAllocatable): Promise<Map<string, MountedVolume> | undefined> {
    try {
      const { volumes, warnings } = await this.deps.volumes.setUp(pod, { addresses: addressesOf(pod, podIPs, hostIPs), allocatable });
      for (const w of warnings) {
        if (st.warned.has(w.message)) continue;
        st.warned.add(w.message);
        this.deps.events.pod(pod, 'Warning', 'UnsupportedVolumeSource', w.message);
      }
      st.volumes = volumes;
    } catch (err) {
      if (!(err instanceof VolumeSetupError)) throw err;
      for (const f of err.failures) this.deps.events.pod(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`);
    }
    return st.volumes;
  }

  /**
   * Creates and networks a sandbox. `whileNetworking`, when given, is called with the sandbox's id
   * once it runs, before CNI ADD, and runs alongside it (the caller awaits its promise). On
   * failure: records FailedCreatePodSandBox, waits for `whileNetworking` to settle, removes what
   * was made (the containers it created in the sandbox with it) and rejects.
   */
  private async createSandbox(pod: Pod, attempt: number, whileNetworking?: (sandboxId: string) => Promise<unknown>): Promise<{ sandboxId: string; podIPs: string[] }> {
    const { deps } = this;
    const identity = identityOf(pod);
    const hostNetwork = pod.spec?.hostNetwork ?? false;
    let sandboxId: string | undefined;
    let alongside: Promise<unknown> | undefined;
    try {
      const [cgroupParent, hostDNS] = await Promise.all([deps.cgroups.ensurePod(identity.uid, qosClassOf(pod.spec), podCgroupLimits(pod)), deps.hostDNS()]);
      const { config: dns, missingClusterDNS } = podDNSConfig(pod, deps.dns, hostDNS);
      if (missingClusterDNS) {
        deps.events.pod(pod, 'Warning', 'MissingClusterDNS', `pod: "${formatPod(pod)}". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`);
      }
      // Containers mount the hosts file: it exists before any is created, and gets the addresses in place (same inode) after CNI.
      if (!hostNetwork) await this.writeHostsFile(pod, []);
      const ports = portMappings(pod);
      sandboxId = await deps.runtime.runPodSandbox({
        pod: identity,
        attempt,
        hostname: podHostname(pod).hostname,
        hostNetwork,
        dns,
        hostAliases: (pod.spec?.hostAliases ?? []).map((a) => ({ ip: a.ip!, hostnames: a.hostnames ?? [] })),
        portMappings: ports,
        cgroupParent,
        labels: {},
        sysctls: podSysctls(pod),
      });
      deps.observer.claim(sandboxId, identity.uid);
      alongside = whileNetworking?.(sandboxId);
      // Its failure is the caller's to handle once this resolves; until then it must not count as unhandled.
      alongside?.catch(() => undefined);
      let podIPs: string[] = [];
      if (!hostNetwork) {
        const sandbox = (await deps.runtime.listPodSandboxes(identity.uid)).find((s) => s.id === sandboxId);
        if (!sandbox?.netnsPath) throw new Error(`sandbox ${sandboxId} has no network namespace`);
        podIPs = await deps.network.setUp(identity, sandboxId, sandbox.netnsPath, ports);
        await this.writeHostsFile(pod, podIPs);
      }
      this.log.debug({ pod: `${identity.namespace}/${identity.name}`, sandbox: sandboxId, podIPs }, 'sandbox ready');
      return { sandboxId, podIPs };
    } catch (err) {
      deps.events.pod(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorMessage(err)}`);
      this.log.warn({ pod: `${identity.namespace}/${identity.name}`, err: errorMessage(err) }, 'sandbox creation failed');
      await alongside?.catch(() => undefined);
      if (sandboxId) {
        const id = sandboxId;
        await deps.network.tearDown(identity, id).catch((e) => this.log.warn({ err: errorMessage(e) }, 'network teardown after failed sandbox failed'));
        await deps.runtime.removePodSandbox(id).catch((e) => this.log.warn({ err: errorMessage(e) }, 'removing failed sandbox failed'));
      }
      throw err;
    }
  }

  private hostsFile(uid: string): string {
    return path.join(podDir(this.deps.dataDir, uid), 'etc-hosts');
  }

  /** Writes the pod's managed /etc/hosts in place (containers bind-mount the file itself). */
  private async writeHostsFile(pod: Pod, podIPs: string[]): Promise<void> {
    const file = this.hostsFile(pod.metadata!.uid!);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, managedHostsFile(pod, podIPs));
  }

  /**
   * Starts one container instance: what prepareContainer() does (unless `prepared` already did it),
   * then start and postStart. Failures become the container's waiting reason (and events); resolves
   * whether it runs, and when to try again for an image pull back-off.
   */
  private async startContainer(
    pod: Pod,
    st: PodState,
    start: ContainerStart,
    sandboxId: string,
    podIPs: string[],
    volumes: Map<string, MountedVolume>,
    hostIPs: string[],
    allocatable: NodeAllocatable,
    prepared?: Prepared,
  ): Promise<StartOutcome> {
    const ready = prepared ?? (await this.prepareContainer(pod, st, start, sandboxId, podIPs, volumes, hostIPs, allocatable));
    if ('outcome' in ready) return ready.outcome;
    const { deps } = this;
    const { container, id } = ready;
    deps.events.container(pod, container.name, 'Normal', 'Created', `Created container: ${container.name}`);
    try {
      await deps.runtime.startContainer(id);
    } catch (err) {
      if (err instanceof RuntimeError && err.code === 'Unavailable') throw err;
      return this.failContainer(pod, st, container, 'RunContainerError', errorMessage(err));
    }
    deps.events.container(pod, container.name, 'Normal', 'Started', `Started container ${container.name}`);
    st.waiting.delete(container.name);

    const postStart = container.lifecycle?.postStart;
    if (postStart) {
      const failure = await runHook(pod, container, postStart, { runtime: deps.runtime, containerId: id, podIP: reachableIP(pod, podIPs) }, 0);
      if (failure) {
        deps.events.container(pod, container.name, 'Warning', 'FailedPostStartHook', failure);
        const status = await deps.runtime.containerStatus(id);
        await killContainer(this.killDeps(), pod, status, { message: 'FailedPostStartHook', podIP: reachableIP(pod, podIPs) });
        return this.failContainer(pod, st, container, 'PostStartHookError', failure, false);
      }
    }
    return { started: true };
  }

  /** Records why a container waits (and, unless `event` is false, a Failed event). */
  private failContainer(pod: Pod, st: PodState, container: Container, reason: string, message: string, event = true): StartOutcome {
    st.waiting.set(container.name, { reason, message });
    if (event) this.deps.events.container(pod, container.name, 'Warning', 'Failed', `Error: ${message}`);
    return { started: false };
  }

  /** prepareContainer() for each of `starts`, one after another, by container name. */
  private async prepareAll(
    pod: Pod,
    st: PodState,
    starts: ContainerStart[],
    sandboxId: string,
    volumes: Map<string, MountedVolume>,
    hostIPs: string[],
    allocatable: NodeAllocatable,
  ): Promise<Map<string, Prepared>> {
    const out = new Map<string, Prepared>();
    for (const start of starts) out.set(start.name, await this.prepareContainer(pod, st, start, sandboxId, [], volumes, hostIPs, allocatable));
    return out;
  }

  /**
   * Everything of a container start up to a created container: back-off step, image,
   * configuration, create. A failure is the start's outcome (waiting reason and events recorded).
   */
  private async prepareContainer(
    pod: Pod,
    st: PodState,
    start: ContainerStart,
    sandboxId: string,
    podIPs: string[],
    volumes: Map<string, MountedVolume>,
    hostIPs: string[],
    allocatable: NodeAllocatable,
  ): Promise<Prepared> {
    const { deps } = this;
    const uid = pod.metadata!.uid!;
    const list: Container[] = start.init ? (pod.spec?.initContainers ?? []) : (pod.spec?.containers ?? []);
    const container = list.find((c) => c.name === start.name)!;
    const fail = (reason: string, message: string) => ({ outcome: this.failContainer(pod, st, container, reason, message) });
    if (start.backoff) deps.crashBackoff.next(start.backoff.key, start.backoff.since.getTime());

    try {
      await deps.images.ensure(pod, container);
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      st.waiting.set(container.name, { reason: err.reason, message: err.message });
      deps.events.container(pod, container.name, 'Warning', 'Failed', `Error: ${err.reason}`);
      return { outcome: { started: false, retryAfterMs: err.retryAfterMs } };
    }

    let config;
    try {
      const env = await containerEnv({ pod, container, sources: deps.sources, addresses: addressesOf(pod, podIPs, hostIPs), allocatable });
      for (const s of env.skipped) {
        deps.events.pod(pod, 'Warning', 'InvalidEnvironmentVariableNames', `Keys [${s.keys.join(', ')}] from the EnvFrom ${s.kind} ${pod.metadata?.namespace}/${s.name} were skipped since they are considered invalid environment variable names.`);
      }
      config = await buildContainerConfig({
        pod,
        container,
        attempt: start.attempt,
        env: env.env,
        volumes,
        hostsFile: pod.spec?.hostNetwork ? undefined : this.hostsFile(uid),
        terminationMessageFile: await createTerminationMessageFile(deps.dataDir, uid, container.name),
      });
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      return fail('CreateContainerConfigError', errorMessage(err));
    }

    try {
      const id = await deps.runtime.createContainer(sandboxId, config);
      deps.observer.claim(id, uid);
      return { container, id };
    } catch (err) {
      if (err instanceof RuntimeError && err.code === 'Unavailable') throw err;
      return fail('CreateContainerError', errorMessage(err));
    }
  }

  private async collectGarbage(observed: ObservedPod): Promise<void> {
    const { containers, sandboxes } = garbage(observed);
    for (const c of containers) {
      await this.deps.runtime.removeContainer(c.id);
      this.deps.results.remove(c.id);
    }
    for (const s of sandboxes) {
      await this.deps.network.tearDown(s.pod, s.id, s.netnsPath);
      await this.deps.runtime.removePodSandbox(s.id);
    }
  }

  /** Hands the probers each container's newest instance. */
  private updateProbers(pod: Pod, observed: ObservedPod): void {
    const podIP = reachableIP(pod, readySandbox(observed)?.podIPs ?? []);
    const instances = new Map<string, ProbeTarget>();
    for (const c of observed.containers) {
      if (instances.has(c.name)) continue;
      instances.set(c.name, { containerId: c.id, running: c.state === 'running', startedAt: c.startedAt, podIP });
    }
    this.deps.prober.update(pod, instances);
  }

  /** Computes the status and PATCHes it when it differs from the last one written. */
  private async writeStatus(pod: Pod, st: PodState, terminal: boolean): Promise<void> {
    const { deps } = this;
    const facts = await deps.nodeFacts.get();
    const previous = st.lastStatus ?? pod.status;
    const status = computePodStatus(pod, st.observed, { result: (id, type) => deps.results.get(id, type) }, new Date(), {
      waiting: st.waiting,
      podIPs: readySandbox(st.observed)?.podIPs ?? [],
      hostIPs: facts.hostIPs,
      terminal,
      previous,
      runtimeName: deps.runtimeName,
    });
    if (previous && stableJSON(previous) === stableJSON(status)) return;
    const body: Record<string, unknown> = { ...status };
    for (const field of NULLABLE_STATUS_FIELDS) if (body[field] === undefined) body[field] = null;
    try {
      await deps.client.patch(pods, pod.metadata!.namespace, pod.metadata!.name!, 'merge', { status: body }, { subresource: 'status' });
      st.lastStatus = status;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
