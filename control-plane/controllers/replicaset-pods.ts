/**
 * What the workload controllers need to know about a pod, as upstream's podutil and
 * controller_utils define it: whether it still counts (active), whether it is Ready and since when,
 * whether it is available (Ready for minReadySeconds), who controls it, and how a pod is made from
 * a template. Pure functions over pod JSON.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** A pod still counts toward its controller's replicas: not finished, not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When a Ready pod last became Ready (ms since the epoch), or undefined when unknown or not Ready. */
export function podReadySince(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for at least `minReadySeconds` at `nowMs`, as upstream's IsPodAvailable: with
 * minReadySeconds 0 every Ready pod is available.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/** The highest restart count among the pod's containers and init containers. */
export function maxContainerRestarts(pod: Pod): number {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.reduce((max, s) => Math.max(max, s.restartCount ?? 0), 0);
}

/** The owner reference marked controller: true, if any. */
export function controllerOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The owner reference a controller puts on what it creates or adopts. */
export function controllerRef(owner: { metadata?: { name?: string; uid?: string } }, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * A new pod from a controller's template, as upstream's GetPodFromTemplate: the template's labels,
 * annotations, finalizers and spec, the name generated from `<owner>-`, and `ref` as controller.
 */
export function podFromTemplate(template: PodTemplateSpec, namespace: string, ownerName: string, ref: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName}-`,
      namespace,
      ownerReferences: [ref],
    },
    spec: structuredClone(template.spec),
  };
  if (meta.labels && Object.keys(meta.labels).length) pod.metadata!.labels = { ...meta.labels };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata!.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata!.finalizers = [...meta.finalizers];
  return pod;
}
