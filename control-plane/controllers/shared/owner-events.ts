/**
 * Which owners an event on an owned object concerns, as upstream's DaemonSet and StatefulSet
 * controllers route pod events (addPod/updatePod/deletePod): the owner its controller reference
 * names, when that owner is of the controller's kind; for an orphan, every owner whose selector
 * matches it (any of them may adopt it); on an update that changed the controller reference or the
 * labels, the old object's owners as well. The handlers only enqueue keys: non-blocking, and they
 * never throw (an owner whose stored selector does not parse matches nothing).
 */
import { selectorFromLabelSelector } from '../../api/labels.js';
import { controllerRefOf } from '../../api/owner-references.js';
import { keyOf, type Informer, type InformerHandlers } from '../../client/informer.js';

/**
 * The owners of `namespace` in `owners` (an informer indexed by namespace under `namespaceIndex`)
 * whose spec.selector matches `labels`.
 */
export function ownersSelecting(owners: Informer, namespaceIndex: string, namespace: string, labels: Record<string, string> | undefined): any[] {
  return owners.byIndex(namespaceIndex, namespace).filter((owner) => {
    try {
      return selectorFromLabelSelector(owner.spec?.selector).matches(labels);
    } catch {
      return false;
    }
  });
}

/**
 * Handlers for the owned objects (pods) of owners of `kind` kept in `owners`: each event adds the
 * keys of the owners it concerns to `queue`.
 */
export function ownedObjectHandlers(kind: string, owners: Informer, namespaceIndex: string, queue: { add(key: string): void }): InformerHandlers<any> {
  const enqueueFor = (obj: any) => {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.kind === kind) queue.add(`${obj.metadata.namespace}/${ref.name}`);
      return;
    }
    for (const owner of ownersSelecting(owners, namespaceIndex, obj.metadata.namespace, obj.metadata.labels)) queue.add(keyOf(owner));
  };
  return {
    onAdd: enqueueFor,
    onUpdate: (old, obj) => {
      enqueueFor(obj);
      if (controllerRefOf(old)?.uid !== controllerRefOf(obj)?.uid || JSON.stringify(old.metadata.labels) !== JSON.stringify(obj.metadata.labels)) enqueueFor(old);
    },
    onDelete: enqueueFor,
  };
}
