/**
 * The host-gw network backend: keeps, in this node's main routing table, a route
 * "<podCIDR> via <InternalIP>" for every other Node (peer-routes.ts), marked as its own with
 * protocol ROUTE_PROTO (route-plan.ts) so that it touches no other route and a restarted agent
 * adopts the ones it left. Level-based: any change of a Node's podCIDR or InternalIP, a Node added
 * or deleted, and a resync every 30 s (routes the kernel dropped with a link going down, or someone
 * deleted) queue one reconcile, which computes the wanted routes from the Node cache, reads the
 * table, and applies the difference. A failed reconcile is retried with backoff. Nodes that get no
 * route are logged with the reason (once per change of reason).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { storageResource } from '../../control-plane/api/registry.js';
import type { ApiClient } from '../../control-plane/client/api-client.js';
import { runController } from '../../control-plane/client/controller.js';
import { Informer } from '../../control-plane/client/informer.js';
import { WorkQueue } from '../../control-plane/client/workqueue.js';
import { createNetOps, type NetOps } from '../../cni/bridge/netops.js';
import type { NetworkBackend } from './backend.js';
import { internalIPv4, peerRoutes } from './peer-routes.js';
import { planRoutes, type RoutePlan } from './route-plan.js';
import { applyRoutePlan, readHostRoutes } from './route-table.js';

const KEY = 'routes';
const RETRY_MS = { first: 1_000, max: 30_000 };
const RESYNC_MS = 30_000;

export interface HostGwOptions {
  client: ApiClient;
  /** This node: its own podCIDR is never routed. */
  nodeName: string;
  /** Path of the network namespace whose routes are kept (default: the agent's own). */
  netns?: string;
  logger: Logger;
}

/**
 * One reconcile: the routes wanted for `nodes` (as seen by `nodeName`) put in place, owned routes
 * no longer wanted removed. Resolves with what it found and did; rejects when the table cannot be
 * read or a change fails (the next call starts over from the table). With no nodes it removes every
 * route host-gw owns.
 */
export async function reconcileRoutes(ops: NetOps, nodes: readonly Node[], nodeName: string, netns?: string): Promise<RoutePlan> {
  const wanted = peerRoutes(nodes, nodeName);
  const plan = planRoutes(wanted.routes, await readHostRoutes(ops, netns));
  await applyRoutePlan(ops, plan, netns);
  return { ...plan, skipped: [...wanted.skipped, ...plan.skipped] };
}

/** What of a Node its route depends on. */
const routingOf = (node: Node) => `${node.spec?.podCIDR}|${internalIPv4(node)}`;

/** Starts following the Nodes; resolves after the first list and the first reconcile (whose failure is logged and retried). */
export async function startHostGw(opts: HostGwOptions): Promise<NetworkBackend> {
  const log = opts.logger.child({ component: 'host-gw' });
  const ops = createNetOps();
  const nodes = new Informer<Node & { metadata: object }>(opts.client, storageResource('core/nodes'), log.child({ informer: 'core/nodes' }));
  const queue = new WorkQueue({ baseDelayMs: RETRY_MS.first, maxDelayMs: RETRY_MS.max });
  /** The reason each skipped node was last logged with. */
  let reported = new Map<string, string>();

  async function reconcile(): Promise<void> {
    const plan = await reconcileRoutes(ops, nodes.list(), opts.nodeName, opts.netns);
    for (const r of plan.add) log.info({ dst: r.dst, via: r.via, peer: r.node }, 'route to node pods added');
    for (const r of plan.replace) log.info({ dst: r.dst, via: r.via, peer: r.node }, 'route to node pods changed');
    for (const dst of plan.remove) log.info({ dst }, 'route to node pods removed');
    const skipped = new Map(plan.skipped.map((s) => [s.node, s.reason]));
    for (const [peer, reason] of skipped) if (reported.get(peer) !== reason) log.warn({ peer, reason }, 'no route to node pods');
    reported = skipped;
  }

  const enqueue = () => queue.add(KEY);
  nodes.addHandlers({
    onAdd: enqueue,
    onDelete: enqueue,
    onUpdate: (before, after) => {
      if (routingOf(before) !== routingOf(after)) enqueue();
    },
  });
  nodes.start();
  await nodes.waitForSync();
  await reconcile().catch((err: Error) => {
    log.warn({ err: err.message }, 'reconcile failed; retrying with backoff');
    queue.addRateLimited(KEY);
  });
  const controller = runController('host-gw', queue, reconcile, log);
  const resync = setInterval(enqueue, RESYNC_MS);

  return {
    name: 'host-gw',
    async stop(stopOpts = {}) {
      clearInterval(resync);
      nodes.stop();
      await controller.stop();
      if (stopOpts.removeRoutes) {
        const { remove } = await reconcileRoutes(ops, [], opts.nodeName, opts.netns);
        log.info({ removed: remove.length }, 'routes to node pods removed');
      }
    },
  };
}
