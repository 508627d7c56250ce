/**
 * The controllers, run inside `tug server` against its own API with a dedicated credential (user
 * system:kube-controller-manager), sharing one set of informers. When several servers run, only
 * the holder of the kube-system/tug-controller-manager Lease runs them.
 */
import type { Logger } from 'pino';
import { ApiClient } from '../client/api-client.js';
import type { ControllerHandle } from '../client/controller.js';
import { EventRecorder } from '../client/event-recorder.js';
import { InformerFactory } from '../client/informer-factory.js';
import { runLeaderElection } from '../client/leader-election.js';
import type { ControllerContext } from '../controllers/context.js';
import { startNamespaceController } from '../controllers/namespace.js';
import { startNodeIpamController } from '../controllers/node-ipam.js';

export interface ControllerManagerOptions {
  server: string;
  token: string;
  caCertPem: string;
  /** Stable name of this server in leader election: a restarted server takes its lease back at once. */
  identity: string;
  logger: Logger;
}

export interface ControllerManager {
  stop(): Promise<void>;
}

/** The controllers of this process, started together on shared informers. */
async function startControllers(ctx: ControllerContext): Promise<() => Promise<void>> {
  const controllers: ControllerHandle[] = [startNamespaceController(ctx), startNodeIpamController(ctx)];
  ctx.informers.start();
  await ctx.informers.waitForSync();
  ctx.logger.info({ controllers: controllers.length }, 'controllers running');
  return async () => {
    ctx.informers.stop();
    await Promise.all(controllers.map((c) => c.stop()));
  };
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const log = opts.logger.child({ component: 'controller-manager' });
  const client = new ApiClient({ server: opts.server, token: opts.token, caCertPem: opts.caCertPem, userAgent: 'tug-controller-manager' });
  const recorders = new Map<string, EventRecorder>();
  const election = runLeaderElection({
    client,
    namespace: 'kube-system',
    name: 'tug-controller-manager',
    identity: opts.identity,
    logger: log,
    onStartedLeading: () =>
      startControllers({
        client,
        informers: new InformerFactory(client, log),
        recorder: (component) => {
          let r = recorders.get(component);
          if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, log)));
          return r;
        },
        logger: log,
      }),
  });
  return {
    stop: async () => {
      await election.stop();
      client.close();
    },
  };
}
