/**
 * The environment of the ReplicaSet and Deployment controller integration tests (test support;
 * nothing in the product imports it): a ControllerContext of its own against a running API server,
 * the chosen controllers started on shared informers, a binder standing in for the scheduler and,
 * unless a real agent runs the pods, a fake kubelet that makes them run.
 */
import { pino } from 'pino';
import { ApiClient } from '../../client/api-client.js';
import type { ControllerHandle } from '../../client/controller.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import type { ControllerContext } from '../context.js';
import { startReplicaSetController } from '../replicaset.js';
import { startDeploymentController } from './controller.js';
import { FakeKubelet, type FakeKubeletOptions } from './fake-kubelet.js';
import { TestBinder } from './test-binder.js';

export interface ServerAccess {
  url: string;
  token: string;
  caCertPem: string;
}

export interface ControllerTestEnv {
  client: ApiClient;
  /** The controllers' shared informers (what they see). */
  informers: InformerFactory;
  /** The node pods are bound to. */
  nodeName: string;
  stop(): Promise<void>;
}

export interface ControllerTestEnvOptions {
  /** Run the Deployment controller too (default true). */
  deployments?: boolean;
  /** Bind pods to this node (a real agent's) instead of starting a fake kubelet. */
  agentNode?: string;
  kubelet?: FakeKubeletOptions;
  logLevel?: string;
}

export async function startControllerTestEnv(server: ServerAccess, opts: ControllerTestEnvOptions = {}): Promise<ControllerTestEnv> {
  const logger = pino({ level: opts.logLevel ?? 'silent' });
  const client = new ApiClient({ server: server.url, token: server.token, caCertPem: server.caCertPem, userAgent: 'controller-test' });
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client,
    informers: new InformerFactory(client, logger),
    recorder: (component) => {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, logger)));
      return r;
    },
    logger,
  };
  const controllers: ControllerHandle[] = [startReplicaSetController(ctx)];
  if (opts.deployments !== false) controllers.push(startDeploymentController(ctx));
  ctx.informers.start();
  await ctx.informers.waitForSync();
  const kubelet = opts.agentNode ? undefined : new FakeKubelet(client, logger, opts.kubelet);
  await kubelet?.start();
  const nodeName = opts.agentNode ?? kubelet!.nodeName;
  const binder = new TestBinder(client, nodeName, logger);
  await binder.start();
  return {
    client,
    informers: ctx.informers,
    nodeName,
    stop: async () => {
      binder.stop();
      await kubelet?.stop();
      ctx.informers.stop();
      await Promise.all(controllers.map((c) => c.stop()));
      client.close();
    },
  };
}
