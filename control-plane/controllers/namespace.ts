/**
 * Namespace controller: empties a namespace that is being deleted, then releases it. For every
 * namespaced resource it deletes what is left (pods get their grace period; objects with
 * finalizers wait for them), and once nothing remains it removes the `kubernetes` finalizer
 * through namespaces/<name>/finalize, upon which the API server deletes the namespace.
 */
import { RESOURCES, type ResourceDef } from '../api/registry.js';
import { isNotFound, type ApiClient } from '../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../client/controller.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerContext } from './context.js';

/** Stored, deletable, namespaced resources: one served version of each storage resource. */
function namespacedContent(): ResourceDef[] {
  return RESOURCES.filter((r) => r.namespaced && r.storageVersion && r.verbs.includes('list') && r.verbs.includes('delete'));
}

const RECHECK_MS = 2000;

/** Deletes the namespace's content; returns how many objects still remain. */
export async function deleteContent(client: ApiClient, namespace: string): Promise<number> {
  let remaining = 0;
  for (const def of namespacedContent()) {
    const list = await client.list(def, namespace);
    for (const item of list.items) {
      remaining++;
      if (item.metadata.deletionTimestamp) continue;
      try {
        await client.delete(def, namespace, item.metadata.name, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
  return remaining;
}

export function startNamespaceController(ctx: ControllerContext): ControllerHandle {
  const { client, logger: log } = ctx;
  const namespaces = ctx.informers.of('core/namespaces');
  const queue = new WorkQueue();
  const enqueue = (ns: any) => {
    if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name);
  };
  namespaces.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  const nsType = RESOURCES.find((r) => r.plural === 'namespaces')!;

  const reconcile = async (name: string): Promise<ReconcileResult | void> => {
    const ns = namespaces.get(name);
    if (!ns?.metadata.deletionTimestamp) return;
    const remaining = await deleteContent(client, name);
    if (remaining > 0) return { requeueAfterMs: RECHECK_MS };
    const finalizers: string[] = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    try {
      await client.update(nsType, undefined, name, { ...ns, spec: { ...ns.spec, finalizers } }, 'finalize');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  return runController('namespace', queue, reconcile, log, 2);
}
