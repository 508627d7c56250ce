/**
 * What the ReplicaSet and Deployment controllers need to know about a pod, as upstream's
 * controller_utils defines it: whether it still counts (active), its restarts, and how a pod is
 * made from a template (readiness: shared/pod-readiness.ts). Pure functions over pod JSON.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** A pod still counts toward its controller's replicas: not finished, not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** The highest restart count among the pod's containers and init containers. */
export function maxContainerRestarts(pod: Pod): number {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.reduce((max, s) => Math.max(max, s.restartCount ?? 0), 0);
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
