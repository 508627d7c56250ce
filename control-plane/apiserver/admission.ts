/**
 * Admission of new pods, as upstream's Priority and DefaultTolerationSeconds plugins do:
 * - a pod naming a PriorityClass gets its value (spec.priority) and preemptionPolicy; a missing
 *   class is refused (403); a pod naming none gets the globalDefault class, if one exists;
 * - every pod tolerates the not-ready and unreachable NoExecute taints for 300 s unless it says
 *   otherwise, so that pods leave a failed node after five minutes.
 */
import { forbiddenMessage, type StatusError } from '../api/status.js';
import type { KObject, Store } from '../store/store.js';

export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** The classes every cluster has, as upstream creates them. */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

async function priorityClass(store: Store, name: string): Promise<any | undefined> {
  try {
    return await store.get({ resource: 'scheduling.k8s.io/priorityclasses', namespace: '', name });
  } catch (err) {
    if ((err as StatusError).code === 404) return undefined;
    throw err;
  }
}

async function setPriority(store: Store, pod: any): Promise<void> {
  const spec = pod.spec;
  let cls: any;
  if (spec.priorityClassName) {
    cls = await priorityClass(store, spec.priorityClassName);
    if (!cls) {
      throw forbiddenMessage({ group: '', resource: 'pods', name: pod.metadata.name }, `pods "${pod.metadata.name}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`);
    }
  } else {
    const all = await store.list<any>('scheduling.k8s.io/priorityclasses');
    cls = all.items.find((c) => c.globalDefault === true);
    if (cls) spec.priorityClassName = cls.metadata.name;
  }
  if (!cls) return;
  spec.priority = cls.value;
  spec.preemptionPolicy = cls.preemptionPolicy ?? 'PreemptLowerPriority';
}

function addDefaultTolerations(pod: any): void {
  const tolerations: any[] = (pod.spec.tolerations ??= []);
  const tolerates = (key: string) => tolerations.some((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerates(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
}

/** Admits a new pod (storage version, defaulted), in place. 403 when its PriorityClass is missing. */
export async function admitPod(store: Store, pod: KObject): Promise<void> {
  const spec = (pod as any).spec;
  if (!spec || typeof spec !== 'object') return;
  await setPriority(store, pod);
  addDefaultTolerations(pod);
}
