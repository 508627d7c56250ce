/**
 * The scheduler (kube-scheduler's role): places pending pods whose schedulerName is ours
 * (default-scheduler, or empty) on nodes, one scheduling cycle at a time, and binds them through
 * POST pods/<name>/binding.
 *
 * - Informers keep the cache (NodeInfo per node, updated incrementally) and the scheduling queue
 *   current. Pods that are bound, being deleted, or belong to another scheduler are never queued.
 * - A cycle runs the framework (filters, scores; see framework.ts) synchronously; the chosen node
 *   is assumed in the cache at once, and the binding runs asynchronously with bounded concurrency,
 *   so the next cycle does not wait for the API. A failed binding forgets the assumption and the
 *   pod is retried after a backoff. Success records a Scheduled event.
 * - A pod that fits nowhere may preempt lower-priority pods (preemption.ts): they are deleted with
 *   their grace period and the pod is nominated to their node (status.nominatedNodeName).
 *   Otherwise, and in both cases until it runs, it stays Pending with a FailedScheduling event and
 *   the PodScheduled=False condition (reason Unschedulable) carrying upstream's summed message,
 *   and waits for a cluster event that may help (queue.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { storageResource } from '../api/registry.js';
import { isConflict, isNotFound, type ApiClient } from '../client/api-client.js';
import type { ControllerHandle } from '../client/controller.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { Informer } from '../client/informer.js';
import type { ControllerContext } from '../controllers/context.js';
import { SchedulerCache } from './cache.js';
import { DEFAULT_FILTERS, DEFAULT_SCORES } from './default-plugins.js';
import { Framework, type ClusterEvent } from './framework.js';
import { Nominator } from './nominator.js';
import { podInfoOf, type PodInfo } from './pod-info.js';
import { Preemptor } from './preemption.js';
import { claimsToSelect, volumeBinding, type VolumeLookup } from './plugins/volume-binding.js';
import { eventPluginsOf, SchedulingQueue, type QueuedPod } from './queue.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  /** The spec.schedulerName this scheduler serves (default `default-scheduler`, which also takes pods naming none). */
  schedulerName?: string;
  /** Percentage of nodes to find feasible before scoring; 0 or undefined: upstream's adaptive default. */
  percentageOfNodesToScore?: number;
  /** Bindings in flight at once (default 16). */
  bindConcurrency?: number;
  /** Backoff of a pod's first retry (default 1 s), doubling up to podMaxBackoffMs (default 10 s). */
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without a cluster event (default 5 min). */
  podMaxInUnschedulablePodsMs?: number;
}

const PODS = storageResource('core/pods');
const CLAIMS = storageResource('core/persistentvolumeclaims');
const FLUSH_INTERVAL_MS = 1000;
/** Longest synchronous stretch of scheduling before the event loop gets a turn. */
const SLICE_MS = 10;

const isTerminal = (pod: any) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const involved = (pod: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata });
/** Events carry at most 1024 characters of message (upstream's note length limit). */
const NOTE_LENGTH_LIMIT = 1024;

function truncateNote(message: string): string {
  return message.length <= NOTE_LENGTH_LIMIT ? message : `${message.slice(0, NOTE_LENGTH_LIMIT - 4)} ...`;
}

/** Whether a node change can change scheduling decisions (not heartbeats). */
function nodeChangeMatters(old: any, node: any): boolean {
  const conditions = (n: any) => JSON.stringify((n.status?.conditions ?? []).map((c: any) => [c.type, c.status]));
  return (
    JSON.stringify(old.status?.allocatable) !== JSON.stringify(node.status?.allocatable) ||
    JSON.stringify(old.metadata?.labels) !== JSON.stringify(node.metadata?.labels) ||
    JSON.stringify(old.spec?.taints) !== JSON.stringify(node.spec?.taints) ||
    Boolean(old.spec?.unschedulable) !== Boolean(node.spec?.unschedulable) ||
    conditions(old) !== conditions(node)
  );
}

class Scheduler {
  private readonly client: ApiClient;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly name: string;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly namespaces: Informer;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly volumeLookup: VolumeLookup;
  private readonly nominator = new Nominator();
  private readonly cache: SchedulerCache;
  private readonly framework: Framework;
  private readonly preemptor: Preemptor;
  private readonly queue: SchedulingQueue;
  private readonly bindConcurrency: number;
  private readonly binds = new Set<Promise<void>>();
  private stopped = false;
  /** Settles on stop(), so that a wait for the informers' first lists ends too. */
  private halt!: () => void;
  private readonly halted = new Promise<void>((resolve) => (this.halt = resolve));
  private flushTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(ctx: ControllerContext, opts: SchedulerOptions) {
    this.client = ctx.client;
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.log = ctx.logger.child({ component: 'scheduler', scheduler: this.name });
    this.recorder = ctx.recorder(this.name);
    this.pods = ctx.informers.of('core/pods');
    this.nodes = ctx.informers.of('core/nodes');
    this.namespaces = ctx.informers.of('core/namespaces');
    this.claims = ctx.informers.of('core/persistentvolumeclaims');
    this.volumes = ctx.informers.of('core/persistentvolumes');
    this.classes = ctx.informers.of('storage.k8s.io/storageclasses');
    this.volumeLookup = {
      claim: (ns, name) => this.claims.get(`${ns}/${name}`),
      volume: (name) => this.volumes.get(name),
      storageClass: (name) => this.classes.get(name),
      volumes: () => this.volumes.list(),
    };
    this.cache = new SchedulerCache((ns) => this.namespaces.get(ns)?.metadata?.labels, this.nominator);
    const filters = [...DEFAULT_FILTERS, volumeBinding(this.volumeLookup)];
    this.framework = new Framework(filters, DEFAULT_SCORES, { percentageOfNodesToScore: opts.percentageOfNodesToScore });
    this.preemptor = new Preemptor(this.framework);
    this.queue = new SchedulingQueue(eventPluginsOf(filters), {
      initialBackoffMs: opts.podInitialBackoffMs,
      maxBackoffMs: opts.podMaxBackoffMs,
      maxUnschedulableMs: opts.podMaxInUnschedulablePodsMs,
    });
    this.bindConcurrency = opts.bindConcurrency ?? 16;
    this.nodes.addHandlers({
      onAdd: (node) => this.nodeChanged(undefined, node),
      onUpdate: (old, node) => this.nodeChanged(old, node),
      onDelete: (node) => this.cache.removeNode(node.metadata.name),
    });
    const volumeChange = () => this.queue.onEvent('VolumeChange');
    for (const informer of [this.claims, this.volumes, this.classes]) informer.addHandlers({ onAdd: volumeChange, onUpdate: volumeChange });
    this.pods.addHandlers({
      onAdd: (pod) => this.podChanged(undefined, pod),
      onUpdate: (old, pod) => this.podChanged(old, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  start(): void {
    this.flushTimer = setInterval(() => this.queue.flush(), FLUSH_INTERVAL_MS);
    this.loop = this.run().catch((err) => this.log.error({ err: (err as Error).message }, 'scheduling loop failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halt();
    this.queue.close();
    clearInterval(this.flushTimer);
    await this.loop;
    await Promise.allSettled([...this.binds]);
  }

  // ---- informer events ----

  private nodeChanged(old: any, node: any): void {
    this.cache.setNode(node);
    if (!old) this.queue.onEvent('NodeAdd');
    else if (nodeChangeMatters(old, node)) this.queue.onEvent('NodeUpdate');
  }

  private ours(pod: any): boolean {
    const name = pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME;
    return name === this.name;
  }

  private podChanged(old: any, pod: any): void {
    const uid = pod.metadata?.uid;
    if (pod.spec?.nodeName) {
      this.queue.delete(`${pod.metadata.namespace}/${pod.metadata.name}`);
      this.nominator.delete(uid);
      if (isTerminal(pod)) {
        if (this.cache.hasPod(uid)) this.assignedPodGone(uid);
        return;
      }
      const known = this.cache.hasPod(uid) && !this.cache.isAssumed(uid);
      this.cache.setPod(podInfoOf(pod), pod.spec.nodeName);
      let event: ClusterEvent | undefined = 'AssignedPodAdd';
      if (known) event = JSON.stringify(old?.metadata?.labels) !== JSON.stringify(pod.metadata?.labels) ? 'AssignedPodUpdate' : undefined;
      if (event) this.queue.onEvent(event);
      return;
    }
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!this.ours(pod) || pod.metadata.deletionTimestamp || isTerminal(pod)) {
      this.queue.delete(key);
      this.nominator.delete(uid);
      return;
    }
    if (this.cache.isAssumed(uid)) return; // being bound
    const info = podInfoOf(pod);
    const nominated = pod.status?.nominatedNodeName;
    if (!old || nominated !== old.status?.nominatedNodeName) this.nominator.set(info, nominated);
    const relevant = old !== undefined && (JSON.stringify(old.spec) !== JSON.stringify(pod.spec) || JSON.stringify(old.metadata?.labels) !== JSON.stringify(pod.metadata?.labels));
    this.queue.update(info, relevant);
  }

  private podDeleted(pod: any): void {
    const uid = pod.metadata?.uid;
    this.queue.delete(`${pod.metadata.namespace}/${pod.metadata.name}`);
    this.nominator.delete(uid);
    if (this.cache.hasPod(uid)) this.assignedPodGone(uid);
  }

  private assignedPodGone(uid: string): void {
    this.cache.removePod(uid);
    this.queue.onEvent('AssignedPodDelete');
  }

  // ---- scheduling ----

  private async run(): Promise<void> {
    await Promise.race([Promise.all([this.pods, this.nodes, this.namespaces, this.claims, this.volumes, this.classes].map((i) => i.waitForSync())), this.halted]);
    if (this.stopped) return;
    this.log.info({ nodes: this.cache.nodes.length, pending: this.queue.activeLength }, 'scheduler running');
    let sliceStart = performance.now();
    while (!this.stopped) {
      if (this.binds.size >= this.bindConcurrency) {
        await Promise.race(this.binds);
        continue;
      }
      const qp = this.queue.pop();
      if (!qp) {
        await this.queue.waitForPod();
        sliceStart = performance.now();
        continue;
      }
      this.scheduleOne(qp);
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  private scheduleOne(qp: QueuedPod): void {
    const pod = qp.pod;
    const result = this.framework.schedule(pod, this.cache);
    if (result.kind === 'scheduled') {
      this.cache.assume(pod, result.node);
      this.nominator.delete(pod.uid);
      this.bind(qp, result.node);
      return;
    }
    if (result.kind === 'error') {
      this.reportFailure(pod, 'SchedulerError', result.message);
      this.queue.retry(qp);
      return;
    }
    const { fitError } = result;
    const outcome = this.preemptor.preempt(pod, this.cache, fitError);
    let nominated: string | null | undefined;
    if (outcome.kind === 'nominated') {
      nominated = outcome.node;
      this.preempt(pod, outcome.node, outcome.victims);
    } else {
      fitError.postFilterMessage = outcome.message;
      if (outcome.clearNomination && this.nominator.nodeOfPod(pod.uid)) {
        this.nominator.delete(pod.uid);
        nominated = null;
      }
    }
    this.reportFailure(pod, 'Unschedulable', fitError.message(), nominated);
    this.queue.unschedulable(qp, result.plugins);
  }

  /** Evicts `victims` from `node` for `pod` and nominates it there; lower-priority nominees there lose their nomination. */
  private preempt(pod: PodInfo, node: string, victims: readonly PodInfo[]): void {
    for (const other of this.nominator.podsOn(node)) {
      if (other.priority >= pod.priority || other.uid === pod.uid) continue;
      this.nominator.delete(other.uid);
      this.patchStatus(other.pod, { nominatedNodeName: null });
    }
    this.nominator.set(pod, node);
    this.log.info({ pod: pod.key, node, victims: victims.map((v) => v.key) }, 'preempting pods');
    for (const victim of victims) void this.evict(victim, pod, node);
  }

  private async evict(victim: PodInfo, preemptor: PodInfo, node: string): Promise<void> {
    const { namespace, name } = victim;
    try {
      const condition = {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'PreemptionByScheduler',
        message: `${this.name}: preempting to accommodate a higher priority pod`,
        lastTransitionTime: rfc3339(new Date()),
      };
      await this.client.patch(PODS, namespace, name, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
      await this.client.delete(PODS, namespace, name);
      this.recorder.event(involved(victim.pod), 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${node}`);
    } catch (err) {
      if (!isNotFound(err)) this.log.warn({ pod: victim.key, err: (err as Error).message }, 'could not preempt pod');
    }
  }

  private bind(qp: QueuedPod, node: string): void {
    const pod = qp.pod;
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.name, namespace: pod.namespace },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    const done = (async () => {
      try {
        await this.selectNodeForClaims(pod, node);
        await this.client.request('POST', this.client.path(PODS, pod.namespace, pod.name, 'binding'), { body });
        this.queue.done(qp);
        this.recorder.event(involved(pod.pod), 'Normal', 'Scheduled', `Successfully assigned ${pod.namespace}/${pod.name} to ${node}`);
      } catch (err) {
        this.cache.forget(pod.uid);
        if (isNotFound(err) || isConflict(err)) {
          // Deleted, being deleted, or bound by someone else: the informer has the rest.
          this.queue.done(qp);
          return;
        }
        this.log.warn({ pod: pod.key, node, err: (err as Error).message }, 'binding failed; retrying');
        this.reportFailure(pod, 'SchedulerError', `Binding rejected: ${(err as Error).message}`);
        this.queue.retry(qp);
      }
    })();
    this.binds.add(done);
    void done.finally(() => this.binds.delete(done));
  }

  /**
   * Writes the chosen node into the pod's unbound WaitForFirstConsumer claims
   * (volume.kubernetes.io/selected-node), so that the binder binds a volume there or the node's
   * provisioner makes one; before the pod is bound, as upstream's PreBind.
   */
  private async selectNodeForClaims(pod: PodInfo, node: string): Promise<void> {
    for (const claim of claimsToSelect(pod.pod, node, this.volumeLookup)) {
      try {
        await this.client.patch(CLAIMS, claim.metadata.namespace, claim.metadata.name, 'merge', {
          metadata: { resourceVersion: claim.metadata.resourceVersion, annotations: { 'volume.kubernetes.io/selected-node': node } },
        });
      } catch (err) {
        // Not the pod's conflict: the claim changed or went; retry the pod after its backoff.
        throw new Error(`could not select node for claim ${claim.metadata.namespace}/${claim.metadata.name}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * FailedScheduling event, and the PodScheduled=False condition with `message` (plus
   * nominatedNodeName: a name sets it, null clears it) unless the pod already says so.
   */
  private reportFailure(pod: PodInfo, reason: string, message: string, nominated?: string | null): void {
    this.recorder.event(involved(pod.pod), 'Warning', 'FailedScheduling', truncateNote(message));
    const current = (pod.pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    const sameCondition = current?.status === 'False' && current.reason === reason && current.message === message;
    const sameNomination = nominated === undefined || (pod.pod.status?.nominatedNodeName ?? null) === nominated;
    if (sameCondition && sameNomination) return;
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' ? current.lastTransitionTime : rfc3339(new Date()),
    };
    this.patchStatus(pod.pod, { conditions: [condition], ...(nominated !== undefined ? { nominatedNodeName: nominated } : {}) });
  }

  /** Strategic-merge patch of a pod's status; fire and forget (a vanished pod is fine). */
  private patchStatus(pod: any, status: Record<string, unknown>): void {
    const { namespace, name } = pod.metadata;
    this.client.patch(PODS, namespace, name, 'strategic', { status }, { subresource: 'status' }).catch((err) => {
      if (!isNotFound(err)) this.log.warn({ pod: `${namespace}/${name}`, err: (err as Error).message }, 'could not update pod status');
    });
  }
}

/**
 * Starts the scheduler on the context's shared informers (pods, nodes, namespaces); it begins
 * scheduling once they have synced (the caller starts the informer factory). stop() ends the loop
 * and waits for bindings in flight.
 */
export function startScheduler(ctx: ControllerContext, opts: SchedulerOptions = {}): ControllerHandle {
  const scheduler = new Scheduler(ctx, opts);
  scheduler.start();
  return { stop: () => scheduler.stop() };
}
