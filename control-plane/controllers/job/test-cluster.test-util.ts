/**
 * Integration-test harness for controllers: a real `tug server` (e2e/harness/tug-server.ts) running
 * only its basic controllers (namespace, node IPAM), a ControllerContext
 * against it for the controllers under test, and a fake kubelet that plays the node agent for
 * chosen pods (Running and Ready at once, then Succeeded or Failed). stop() removes everything.
 */
import pino from 'pino';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { storageResource } from '../../api/registry.js';
import { ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { Informer } from '../../client/informer.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { startTugServer, type TugServer } from '../../../e2e/harness/tug-server.js';
import type { ControllerContext } from '../context.js';

const podsDef = storageResource('core/pods');
const eventsDef = storageResource('core/events');

export interface TestCluster {
  server: TugServer;
  client: ApiClient;
  ctx: ControllerContext;
  /** Starts the informers the controllers asked for and waits for their first lists. */
  startInformers(): Promise<void>;
  /** Events recorded about an object (reason and message), oldest first. */
  events(namespace: string, name: string): Promise<{ reason: string; message: string }[]>;
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  // The server runs only the basic controllers; the ones under test run here.
  const server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  const client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const informers = new InformerFactory(client, logger);
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client,
    informers,
    logger,
    recorder: (component) => {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, logger)));
      return r;
    },
  };
  return {
    server,
    client,
    ctx,
    startInformers: async () => {
      informers.start();
      await informers.waitForSync();
    },
    events: async (namespace, name) => {
      const list = await client.list(eventsDef, namespace, { fieldSelector: `involvedObject.name=${name}` });
      return list.items
        .sort((a: any, b: any) => Date.parse(a.firstTimestamp) - Date.parse(b.firstTimestamp))
        .map((e: any) => ({ reason: e.reason, message: e.message }));
    },
    stop: async () => {
      informers.stop();
      client.close();
      await server.stop();
    },
  };
}

export type Outcome = 'Succeeded' | 'Failed' | 'Running';

/**
 * A stand-in for node agents in controller tests: pods it `handles` go Running and Ready at once,
 * then, after `runMs`, to the phase `outcome` picks (or stay Running). It also finishes the
 * graceful deletion of handled pods bound to a node, as an agent would. Records the most pods of a
 * label value ever active at once.
 */
export class FakeKubelet {
  private readonly informer: Informer<Pod & { metadata: any }>;
  private readonly seen = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly client: ApiClient,
    private readonly opts: { handles(pod: Pod): boolean; outcome(pod: Pod): Outcome; runMs?: number },
  ) {
    this.informer = new Informer(client, podsDef, pino({ level: 'silent' }));
    const react = (pod: Pod) => void this.react(pod).catch(() => {});
    this.informer.addHandlers({ onAdd: react, onUpdate: (_o, p) => react(p) });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.informer.stop();
  }

  private async react(pod: Pod): Promise<void> {
    if (!this.opts.handles(pod)) return;
    const { namespace, name, uid } = pod.metadata!;
    if (pod.metadata?.deletionTimestamp) {
      if (pod.spec?.nodeName) await this.client.delete(podsDef, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } }).catch(() => {});
      return;
    }
    if (this.seen.has(uid!)) return;
    this.seen.add(uid!);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const container = (ready: boolean, state: object, restartCount = 0) =>
      (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, imageID: '', ready, restartCount, started: ready, state }));
    await this.patchStatus(pod, {
      phase: 'Running',
      startTime: now,
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: container(true, { running: { startedAt: now } }),
    });
    const outcome = this.opts.outcome(pod);
    if (outcome === 'Running') return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      const end = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const exitCode = outcome === 'Succeeded' ? 0 : 1;
      void this.patchStatus(pod, {
        phase: outcome,
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: end },
          { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: end },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: container(false, { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: now, finishedAt: end } }),
      }).catch(() => {});
    }, this.opts.runMs ?? 200);
    this.timers.add(t);
  }

  private async patchStatus(pod: Pod, status: object): Promise<void> {
    await this.client.patch(podsDef, pod.metadata!.namespace, pod.metadata!.name!, 'merge', { status }, { subresource: 'status' });
  }
}
