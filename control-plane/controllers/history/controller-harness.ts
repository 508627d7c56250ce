/**
 * Test support for controller tests against a real `tug server` (the test starts it with
 * e2e/harness): the controllers run in the test process on their own ControllerContext, Node
 * objects are plain API objects, and two stand-ins do
 * the work of the parts that are not running:
 * - TestBinder, a minimal scheduler: binds each unbound pod through pods/binding to the node its
 *   required node affinity names by metadata.name (DaemonSet pods), else to the next of its nodes
 *   that passes nodeSelector and the NoSchedule/NoExecute taints (round robin);
 * - FakeKubelet: for pods bound to its nodes, reports Running and Ready (or Running and not Ready,
 *   or Failed, as the test says) through pods/status, and finishes graceful deletions, so pods and
 *   their ordering can be observed without containers.
 * Both are level-based controllers over a pod informer; poke() makes them look at every pod again.
 */
import { pino, type Logger } from 'pino';
import { matchesNodeSelectorAndAffinity } from '../../api/node-selector.js';
import { RESOURCES } from '../../api/registry.js';
import { blocksScheduling, firstUntolerated } from '../../api/taints.js';
import { isConflict, isNotFound, ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle } from '../../client/controller.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { Informer, keyOf } from '../../client/informer.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { targetNodeOf } from '../daemonset/pod-template.js';

export const podType = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;
export const nodeType = RESOURCES.find((r) => r.plural === 'nodes')!;

/** Where the API server is and the admin's credentials (e2e/harness's TugServer has these). */
export interface ServerAccess {
  url: string;
  token: string;
  caCertPem: string;
}

export interface ControllerHarness {
  /** An admin client of the server. */
  client: ApiClient;
  ctx: ControllerContext;
  /** Starts controllers on the context and its informers; waits for the informers' first lists. */
  run(...start: ((ctx: ControllerContext) => ControllerHandle)[]): Promise<void>;
  /** Stops the controllers and informers (not the server). */
  stop(): Promise<void>;
}

/** A controller context on `server` whose controllers the test starts. */
export function controllerHarness(server: ServerAccess, logger?: Logger): ControllerHarness {
  const log = logger ?? pino({ level: 'silent' });
  const client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  const informers = new InformerFactory(client, log);
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client,
    informers,
    logger: log,
    recorder: (component) => {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, log)));
      return r;
    },
  };
  const handles: ControllerHandle[] = [];
  return {
    client,
    ctx,
    run: async (...start) => {
      handles.push(...start.map((s) => s(ctx)));
      informers.start();
      await informers.waitForSync();
    },
    stop: async () => {
      informers.stop();
      await Promise.all(handles.map((h) => h.stop()));
      client.close();
    },
  };
}

/** Creates a Ready node object (no agent behind it). */
export async function createNode(client: ApiClient, name: string, opts: { labels?: Record<string, string>; taints?: any[] } = {}): Promise<any> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return client.create(nodeType, undefined, {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}) },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake node', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  });
}

/** A level-based pod worker over its own pod informer. */
abstract class PodWorker {
  protected readonly pods: Informer;
  private readonly queue = new WorkQueue({ baseDelayMs: 20, maxDelayMs: 1000 });
  private handle: ControllerHandle | undefined;

  constructor(protected readonly client: ApiClient, protected readonly log: Logger = pino({ level: 'silent' })) {
    this.pods = new Informer(client, podType, log);
    const enqueue = (p: any) => this.queue.add(keyOf(p));
    this.pods.addHandlers({ onAdd: enqueue, onUpdate: (_o, p) => enqueue(p) });
  }

  protected abstract sync(pod: any): Promise<void>;

  async start(): Promise<void> {
    this.pods.start();
    await this.pods.waitForSync();
    this.handle = runController(
      this.constructor.name,
      this.queue,
      async (key) => {
        const pod = this.pods.get(key);
        if (pod) await this.sync(pod);
      },
      this.log,
      4,
    );
  }

  /** Looks at every pod again (after the test changed what the worker should do). */
  poke(): void {
    for (const p of this.pods.list()) this.queue.add(keyOf(p));
  }

  async stop(): Promise<void> {
    this.pods.stop();
    await this.handle?.stop();
  }
}

/** Binds unbound pods to nodes (see the file comment). */
export class TestBinder extends PodWorker {
  private readonly nodes: Informer;
  private next = 0;

  constructor(client: ApiClient, log?: Logger) {
    super(client, log);
    this.nodes = new Informer(client, nodeType, log ?? pino({ level: 'silent' }));
    this.nodes.addHandlers({ onAdd: () => this.poke() });
  }

  override async start(): Promise<void> {
    this.nodes.start();
    await this.nodes.waitForSync();
    await super.start();
  }

  override async stop(): Promise<void> {
    this.nodes.stop();
    await super.stop();
  }

  private fits(pod: any, node: any): boolean {
    return matchesNodeSelectorAndAffinity(pod.spec, node) && !firstUntolerated(node.spec?.taints ?? [], pod.spec?.tolerations ?? [], blocksScheduling);
  }

  protected async sync(pod: any): Promise<void> {
    if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    const pinned = targetNodeOf(pod);
    const candidates = this.nodes.list().filter((n) => (pinned ? n.metadata.name === pinned : true) && this.fits(pod, n));
    if (!candidates.length) return;
    const node = candidates[this.next++ % candidates.length];
    try {
      await this.client.request('POST', this.client.path(podType, pod.metadata.namespace, pod.metadata.name, 'binding'), {
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name }, target: { apiVersion: 'v1', kind: 'Node', name: node.metadata.name } },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

/** What the fake kubelet reports for a pod. */
export type PodOutcome = 'ready' | 'running' | 'failed';

/** Runs pods bound to `nodes` on paper (see the file comment). */
export class FakeKubelet extends PodWorker {
  /** The outcome of a pod; 'ready' unless the test says otherwise. */
  outcome: (pod: any) => PodOutcome = () => 'ready';
  /** Whether a pod being deleted may go now; true unless the test holds it. */
  mayTerminate: (pod: any) => boolean = () => true;

  constructor(
    client: ApiClient,
    private readonly nodeNames: () => Set<string> | 'all',
    log?: Logger,
  ) {
    super(client, log);
  }

  private mine(pod: any): boolean {
    const nodes = this.nodeNames();
    return !!pod.spec?.nodeName && (nodes === 'all' || nodes.has(pod.spec.nodeName));
  }

  protected async sync(pod: any): Promise<void> {
    if (!this.mine(pod)) return;
    const { namespace, name } = pod.metadata;
    try {
      if (pod.metadata.deletionTimestamp) {
        if (this.mayTerminate(pod)) await this.client.delete(podType, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      const status = statusFor(pod, this.outcome(pod));
      if (JSON.stringify(pick(pod.status, status)) === JSON.stringify(status)) return;
      await this.client.patch(podType, namespace, name, 'merge', { status }, { subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

function pick(status: any, like: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, status?.[k]]));
}

/** The status a kubelet would report for a pod with this outcome; the Ready transition time is kept while Ready does not change. */
function statusFor(pod: any, outcome: PodOutcome): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = outcome === 'ready';
  const prev = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const since = prev && (prev.status === 'True') === ready ? prev.lastTransitionTime : now;
  const phase = outcome === 'failed' ? 'Failed' : 'Running';
  const started = pod.status?.startTime ?? now;
  return {
    phase,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
      { type: 'Initialized', status: 'True', lastTransitionTime: started },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: since },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since },
    ],
    startTime: started,
    containerStatuses: (pod.spec?.containers ?? []).map((c: any) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      restartCount: 0,
      started: phase === 'Running',
      state: phase === 'Running' ? { running: { startedAt: started } } : { terminated: { exitCode: 1, reason: 'Error', startedAt: started, finishedAt: now } },
    })),
  };
}
