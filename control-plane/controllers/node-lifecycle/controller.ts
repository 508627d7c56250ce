/**
 * Node lifecycle controller, as upstream's: watches node Leases and status (health.ts); a node
 * silent for the grace period (40 s) gets its conditions set to Unknown through the status
 * subresource; nodes get the NoSchedule/NoExecute taints their conditions call for (taints.ts);
 * when a node stops being Ready its pods are marked not Ready (NodeNotReady events on node and
 * pods). Every node is looked at again each monitor period (5 s), so a silent node is noticed at
 * most that long after its grace period ran out. Pods are evicted from NoExecute-tainted nodes by
 * the taint eviction controller, started alongside (taint-eviction.ts).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { storageResource } from '../../api/registry.js';
import { isConflict, isNotFound } from '../../client/api-client.js';
import { runController, type ControllerHandle } from '../../client/controller.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { gracePeriodFor, observe, readyStatus, silencedConditions, type Probe } from './health.js';
import { byNodeName, NODE_NAME_INDEX, startTaintEvictionController, type NodeObj, type PodObj } from './taint-eviction.js';
import { desiredTaints, noExecuteMode, zoneStates } from './taints.js';

const nodesDef = storageResource('core/nodes');
const podsDef = storageResource('core/pods');
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleOptions {
  /** How long a node may go without renewing its Lease or posting status (upstream: 40 s). */
  gracePeriodMs?: number;
  /** The same for a node that never posted a Ready condition (upstream: 60 s). */
  startupGracePeriodMs?: number;
  /** How often every node is looked at (upstream: 5 s). */
  monitorPeriodMs?: number;
  /** Whether not-ready/unreachable nodes get NoExecute taints, which evict their pods (default true). */
  noExecuteTainting?: boolean;
  /** The clock; tests may inject one. */
  now?: () => Date;
}

const asNode = (node: Node) => ({ ...node, apiVersion: 'v1' as const, kind: 'Node' as const, metadata: node.metadata ?? {} });
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function startNodeLifecycleController(ctx: ControllerContext, options: NodeLifecycleOptions = {}): ControllerHandle {
  const gracePeriodMs = options.gracePeriodMs ?? 40_000;
  const startupGracePeriodMs = options.startupGracePeriodMs ?? 60_000;
  const monitorPeriodMs = options.monitorPeriodMs ?? 5_000;
  const noExecuteTainting = options.noExecuteTainting ?? true;
  const now = options.now ?? (() => new Date());
  const nodes = ctx.informers.of<NodeObj>('core/nodes');
  const leases = ctx.informers.of<Lease & { metadata: ObjectMeta }>('coordination.k8s.io/leases');
  const pods = ctx.informers.of<PodObj>('core/pods');
  pods.addIndex(NODE_NAME_INDEX, byNodeName);
  const recorder = ctx.recorder('node-controller');
  const probes = new Map<string, Probe>();
  /** The Ready status last seen per node, to notice it going from True to anything else. */
  const lastReady = new Map<string, string>();
  const queue = new WorkQueue();

  let zonesMemo: ReturnType<typeof zoneStates> | undefined;
  const nodeChanged = (n: Node) => {
    zonesMemo = undefined;
    queue.add(n.metadata!.name!);
  };
  nodes.addHandlers({
    onAdd: nodeChanged,
    onUpdate: (_o, n) => nodeChanged(n),
    onDelete: (n) => {
      zonesMemo = undefined;
      probes.delete(n.metadata.name!);
      lastReady.delete(n.metadata.name!);
    },
  });
  const leaseChanged = (l: Lease & { metadata: ObjectMeta }) => {
    if (l.metadata.namespace === NODE_LEASE_NAMESPACE) queue.add(l.metadata.name!);
  };
  leases.addHandlers({ onAdd: leaseChanged, onUpdate: (_o, l) => leaseChanged(l) });

  /** Marks the node's Ready pods not Ready, as upstream's MarkPodsNotReady. */
  const markPodsNotReady = async (nodeName: string) => {
    for (const pod of pods.byIndex(NODE_NAME_INDEX, nodeName)) {
      if (!(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const { namespace, name, uid } = pod.metadata;
      try {
        await ctx.client.patch(podsDef, namespace, name!, 'strategic', { metadata: { uid }, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(now()) }] } }, { subresource: 'status' });
        recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  };

  const reconcile = async (name: string): Promise<void> => {
    await Promise.all([nodes.waitForSync(), leases.waitForSync(), pods.waitForSync()]);
    const cached = nodes.get(name);
    if (!cached) return;
    const t = now().getTime();
    const probe = observe(probes.get(name), cached, leases.get(`${NODE_LEASE_NAMESPACE}/${name}`)?.spec?.renewTime, t);
    probes.set(name, probe);
    const grace = gracePeriodFor(cached, gracePeriodMs, startupGracePeriodMs);
    let node: Node = cached;
    const conditions = silencedConditions(cached, probe, t, grace);
    if (conditions) {
      node = await ctx.client.update<Node>(nodesDef, undefined, name, { ...asNode(cached), status: { ...cached.status, conditions } }, 'status');
      ctx.logger.info({ node: name }, 'node stopped posting status; conditions set to Unknown');
    }
    const ready = readyStatus(node);
    if (lastReady.get(name) === 'True' && ready !== 'True') {
      recorder.event(asNode(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      await markPodsNotReady(name);
    }
    lastReady.set(name, ready);

    // Zone states from the cache, but with this node as just written (the cache may not show it yet).
    const zones = conditions ? zoneStates(nodes.list().map((n) => (n.metadata.name === name ? node : n))) : (zonesMemo ??= zoneStates(nodes.list()));
    const mode = noExecuteTainting ? noExecuteMode(node, zones) : 'clear';
    const taints = desiredTaints(node, mode, now());
    if (taints) {
      await ctx.client.patch(nodesDef, undefined, name, 'merge', { metadata: { resourceVersion: node.metadata!.resourceVersion }, spec: { taints } });
    }
  };

  const main = runController(
    'node-lifecycle',
    queue,
    async (name) => {
      try {
        return await reconcile(name);
      } catch (err) {
        // A stale cached node: its update event queues it again.
        if (isConflict(err)) return;
        throw err;
      }
    },
    ctx.logger,
    2,
  );
  const sweep = setInterval(() => {
    for (const node of nodes.list()) queue.add(node.metadata.name!);
  }, monitorPeriodMs);
  const eviction = startTaintEvictionController(ctx, { now });
  return {
    stop: async () => {
      clearInterval(sweep);
      await Promise.all([main.stop(), eviction.stop()]);
    },
  };
}
