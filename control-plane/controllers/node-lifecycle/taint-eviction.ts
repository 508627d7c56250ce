/**
 * Taint eviction controller, as upstream's: deletes the pods of nodes with NoExecute taints they
 * do not tolerate at once, and those that tolerate them for tolerationSeconds after that long
 * (tolerations.ts decides). An evicted pod first gets the DisruptionTarget condition
 * (DeletionByTaintManager), then is deleted normally: it is marked for deletion and its node's
 * agent finishes it. When the agent is gone (an unreachable node) the pod stays Terminating, as
 * upstream; a force delete (`kubectl delete pod --force --grace-period=0`) or the node coming back
 * ends it. Workload controllers do not count terminating pods, so replacements start elsewhere.
 * Events: TaintManagerEviction "Marking for deletion Pod <ns>/<name>" and "Cancelling deletion of
 * Pod <ns>/<name>".
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { storageResource } from '../../api/registry.js';
import { isConflict, isNotFound } from '../../client/api-client.js';
import { runController, type ControllerHandle } from '../../client/controller.js';
import { keyOf } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { planEviction } from './tolerations.js';

const podsDef = storageResource('core/pods');
/** Pods indexed by the node they are bound to. */
export const NODE_NAME_INDEX = 'spec.nodeName';

export type PodObj = Pod & { metadata: ObjectMeta };
export type NodeObj = Node & { metadata: ObjectMeta };

export const byNodeName = (pod: Pod): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export function startTaintEvictionController(ctx: ControllerContext, opts: { now: () => Date }): ControllerHandle {
  const pods = ctx.informers.of<PodObj>('core/pods');
  const nodes = ctx.informers.of<NodeObj>('core/nodes');
  pods.addIndex(NODE_NAME_INDEX, byNodeName);
  const recorder = ctx.recorder('taint-eviction-controller');
  /** Pod uid → when its eviction countdown started. */
  const countdowns = new Map<string, number>();
  const queue = new WorkQueue();

  const enqueuePodsOf = (nodeName: string) => {
    for (const pod of pods.byIndex(NODE_NAME_INDEX, nodeName)) queue.add(keyOf(pod));
  };
  const taintsKey = (n: Node) => JSON.stringify(noExecuteTaints(n).map((t) => [t.key, t.value]));
  nodes.addHandlers({
    onAdd: (n) => enqueuePodsOf(n.metadata.name!),
    onUpdate: (old, n) => {
      if (taintsKey(old) !== taintsKey(n)) enqueuePodsOf(n.metadata.name!);
    },
  });
  pods.addHandlers({
    onAdd: (p) => queue.add(keyOf(p)),
    onUpdate: (old, p) => {
      if (old.spec?.nodeName !== p.spec?.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations)) queue.add(keyOf(p));
    },
    onDelete: (p) => countdowns.delete(p.metadata.uid!),
  });

  const evict = async (pod: PodObj) => {
    const { namespace, name, uid } = pod.metadata;
    recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    const now = opts.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: now };
    try {
      await ctx.client.patch(podsDef, namespace, name!, 'strategic', { metadata: { uid }, status: { conditions: [condition] } }, { subresource: 'status' });
      await ctx.client.delete(podsDef, namespace, name!, { preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  return runController(
    'taint-eviction',
    queue,
    async (key) => {
      await Promise.all([pods.waitForSync(), nodes.waitForSync()]);
      const pod = pods.get(key);
      if (!pod) return;
      const uid = pod.metadata.uid!;
      const since = countdowns.get(uid);
      const now = opts.now().getTime();
      const plan = pod.metadata.deletionTimestamp || !pod.spec?.nodeName ? { kind: 'none' as const } : planEviction(pod.spec.tolerations ?? [], noExecuteTaints(nodes.get(pod.spec.nodeName)), now, since);
      if (plan.kind === 'none') {
        if (since !== undefined && !pod.metadata.deletionTimestamp) {
          recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
        }
        countdowns.delete(uid);
        return;
      }
      countdowns.set(uid, plan.since);
      if (plan.at > now) return { requeueAfterMs: plan.at - now };
      await evict(pod);
      countdowns.delete(uid);
    },
    ctx.logger,
    4,
  );
}
