/**
 * The controllers, run inside `tug server` against its own API with a dedicated credential (user
 * system:kube-controller-manager), sharing one set of informers. When several servers run, only
 * the holder of the kube-system/tug-controller-manager Lease runs them. `--controllers` picks
 * which run, as kube-controller-manager's flag does: `*` (all), `name` (add), `-name` (remove).
 */
import type { Logger } from 'pino';
import { ApiClient } from '../client/api-client.js';
import type { ControllerHandle } from '../client/controller.js';
import { EventRecorder } from '../client/event-recorder.js';
import { InformerFactory } from '../client/informer-factory.js';
import { runLeaderElection } from '../client/leader-election.js';
import type { ControllerContext } from '../controllers/context.js';
import { startDaemonSetController } from '../controllers/daemonset/controller.js';
import { startDeploymentController } from '../controllers/deployment/controller.js';
import { startNamespaceController } from '../controllers/namespace.js';
import { startNodeIpamController } from '../controllers/node-ipam.js';
import { startReplicaSetController } from '../controllers/replicaset.js';
import { startStatefulSetController } from '../controllers/statefulset/controller.js';
import { startCronJobController } from '../controllers/cronjob/controller.js';
import { startEndpointsController } from '../controllers/endpoints/endpoints-controller.js';
import { startEndpointSliceController } from '../controllers/endpoints/endpointslice-controller.js';
import { startEndpointSliceMirroringController } from '../controllers/endpoints/endpointslice-mirroring-controller.js';
import { startServiceLoadBalancerController } from '../controllers/endpoints/service-load-balancer-controller.js';
import { startGarbageCollector } from '../controllers/gc/controller.js';
import { startJobController } from '../controllers/job/controller.js';
import { startNodeLifecycleController } from '../controllers/node-lifecycle/controller.js';
import { startPersistentVolumeController } from '../controllers/volume/pv-controller.js';
import { startScheduler } from '../scheduler/scheduler.js';

/** Settings some controllers take from the command line. */
export interface ControllerSettings {
  /** Addresses for LoadBalancer Services (CIDR, range a-b, or a comma list); none: they stay pending. */
  loadBalancerPool?: string;
}

type StartController = (ctx: ControllerContext, settings: ControllerSettings) => ControllerHandle;

/** Every controller by the name `--controllers` uses (upstream's names where there is one). */
export const CONTROLLERS: Record<string, StartController> = {
  namespace: (ctx) => startNamespaceController(ctx),
  nodeipam: (ctx) => startNodeIpamController(ctx),
  nodelifecycle: (ctx) => startNodeLifecycleController(ctx),
  garbagecollector: (ctx) => startGarbageCollector(ctx),
  replicaset: (ctx) => startReplicaSetController(ctx),
  deployment: (ctx) => startDeploymentController(ctx),
  statefulset: (ctx) => startStatefulSetController(ctx),
  daemonset: (ctx) => startDaemonSetController(ctx),
  job: (ctx) => startJobController(ctx),
  cronjob: (ctx) => startCronJobController(ctx),
  endpoint: (ctx) => startEndpointsController(ctx),
  endpointslice: (ctx) => startEndpointSliceController(ctx),
  endpointslicemirroring: (ctx) => startEndpointSliceMirroringController(ctx),
  service: (ctx, settings) => startServiceLoadBalancerController(ctx, { pool: settings.loadBalancerPool }),
  'persistentvolume-binder': (ctx) => startPersistentVolumeController(ctx),
  scheduler: (ctx) => startScheduler(ctx),
};

/** The controller names a `--controllers` value selects; an unknown name is an error. */
export function selectControllers(spec: string): string[] {
  const selected = new Set<string>();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = raw.replace(/^-/, '');
    if (raw === '*') {
      for (const n of Object.keys(CONTROLLERS)) selected.add(n);
    } else if (!(name in CONTROLLERS)) {
      throw new Error(`unknown controller "${name}" in --controllers; known: ${Object.keys(CONTROLLERS).join(', ')}`);
    } else if (raw.startsWith('-')) {
      selected.delete(name);
    } else {
      selected.add(name);
    }
  }
  return [...selected];
}

export interface ControllerManagerOptions {
  server: string;
  token: string;
  caCertPem: string;
  /** Stable name of this server in leader election: a restarted server takes its lease back at once. */
  identity: string;
  /** Names from selectControllers(). */
  controllers: string[];
  settings: ControllerSettings;
  logger: Logger;
}

export interface ControllerManager {
  stop(): Promise<void>;
}

/** The selected controllers of this process, started together on shared informers. */
async function startControllers(ctx: ControllerContext, names: string[], settings: ControllerSettings): Promise<() => Promise<void>> {
  const controllers = names.map((name) => CONTROLLERS[name]!(ctx, settings));
  ctx.informers.start();
  await ctx.informers.waitForSync();
  ctx.logger.info({ controllers: names }, 'controllers running');
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
      startControllers(
        {
          client,
          informers: new InformerFactory(client, log),
          recorder: (component) => {
            let r = recorders.get(component);
            if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, log)));
            return r;
          },
          logger: log,
        },
        opts.controllers,
        opts.settings,
      ),
  });
  return {
    stop: async () => {
      await election.stop();
      client.close();
    },
  };
}
