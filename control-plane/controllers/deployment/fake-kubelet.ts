/**
 * A stand-in node for controller integration tests (test support; nothing in the product imports
 * it). It registers a Ready Node with a renewed Lease, "starts" the pods bound to it after a delay
 * by writing the status a kubelet writes (Running, the Ready condition, container statuses; pods
 * of `neverReadyImages` run but never pass readiness, like a failing readiness probe), and
 * finishes the deletion of its terminating pods after a short termination. No containers run;
 * binding is TestBinder's.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { storageResource } from '../../api/registry.js';
import { ApiError, isNotFound, type ApiClient } from '../../client/api-client.js';
import { Informer } from '../../client/informer.js';
import { rfc3339 } from '../replicaset-status.js';

const nodes = storageResource('core/nodes');
const pods = storageResource('core/pods');
const leases = storageResource('coordination.k8s.io/leases');

export interface FakeKubeletOptions {
  nodeName?: string;
  /** Time from being bound to this node to Running (and Ready). */
  startDelayMs?: number;
  /** Time a terminating pod takes to stop before its deletion completes. */
  terminationMs?: number;
  /** Pods whose first container uses one of these images never become Ready. */
  neverReadyImages?: string[];
}

const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

export class FakeKubelet {
  readonly nodeName: string;
  private readonly informer: Informer<Pod & { metadata: NonNullable<Pod['metadata']> }>;
  /** Pod uids already being handled, per stage. */
  private readonly handled = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly neverReady: Set<string>;
  private stopped = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
    private readonly opts: FakeKubeletOptions = {},
  ) {
    this.nodeName = opts.nodeName ?? 'fake-node';
    this.neverReady = new Set(opts.neverReadyImages ?? []);
    this.informer = new Informer(client, pods, log.child({ component: 'fake-kubelet' }));
    this.informer.addHandlers({ onAdd: (p) => this.look(p), onUpdate: (_o, p) => this.look(p) });
  }

  /** Registers the node and starts handling pods; resolves once the pod cache is filled. */
  async start(): Promise<void> {
    const now = new Date();
    const condition = (type: string, status: string, reason: string) => ({ type, status, reason, message: reason, lastHeartbeatTime: rfc3339(now.getTime()), lastTransitionTime: rfc3339(now.getTime()) });
    const resources = { cpu: '64', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    await this.client.create(nodes, undefined, {
      metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux' } },
      spec: {},
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), condition('PIDPressure', 'False', 'KubeletHasSufficientPID'), condition('Ready', 'True', 'KubeletReady')],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: this.nodeName }],
        nodeInfo: { kubeletVersion: 'v1.33.0-fake', containerRuntimeVersion: 'fake://1', osImage: 'fake', kernelVersion: '6', operatingSystem: 'linux', architecture: 'amd64' },
      },
    });
    await this.renewLease();
    this.leaseTimer = setInterval(() => void this.renewLease().catch(() => undefined), 10_000);
    this.informer.start();
    await this.informer.waitForSync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaseTimer);
    for (const t of this.timers) clearTimeout(t);
    this.informer.stop();
  }

  private async renewLease(): Promise<void> {
    await this.client.update(leases, 'kube-node-lease', this.nodeName, {
      metadata: { name: this.nodeName, namespace: 'kube-node-lease' },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime: microTime(new Date()) },
    });
  }

  private later(ms: number, what: string, fn: () => Promise<unknown>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      fn().catch((err) => {
        if (!(err instanceof ApiError && (isNotFound(err) || err.code === 409))) this.log.warn({ what, err: (err as Error).message }, 'fake kubelet action failed');
      });
    }, ms);
    this.timers.add(t);
  }

  /** Moves a pod of this node one stage on: start it, or finish its termination. */
  private look(pod: Pod & { metadata: NonNullable<Pod['metadata']> }): void {
    const { uid, namespace, name } = pod.metadata;
    const once = (stage: string) => {
      const key = `${uid}/${stage}`;
      if (this.handled.has(key)) return false;
      this.handled.add(key);
      return true;
    };
    if (pod.metadata.deletionTimestamp) {
      if (pod.spec?.nodeName === this.nodeName && once('terminate')) {
        this.later(this.opts.terminationMs ?? 100, 'finish termination', () => this.client.delete(pods, namespace, name!, { gracePeriodSeconds: 0 }));
      }
      return;
    }
    if (pod.spec?.nodeName !== this.nodeName || pod.status?.phase === 'Running' || !once('start')) return;
    this.later(this.opts.startDelayMs ?? 200, 'start', () => this.client.patch(pods, namespace, name!, 'merge', { status: this.runningStatus(pod) }, { subresource: 'status' }));
  }

  private runningStatus(pod: Pod) {
    const now = rfc3339(Date.now());
    const ready = !(pod.spec?.containers ?? []).some((c) => this.neverReady.has(c.image ?? ''));
    const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now, ...(ok ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status' }) });
    return {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: `10.244.0.${1 + Math.floor(Math.random() * 250)}`,
      startTime: now,
      conditions: [cond('PodReadyToStartContainers', true), cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true)],
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `fake://${c.image}`,
        containerID: `fake://${pod.metadata?.uid}-${c.name}`,
        ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
  }
}
