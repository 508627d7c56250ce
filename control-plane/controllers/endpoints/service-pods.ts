/**
 * Which pods a Service's endpoints come from, and which Services a pod change concerns, as
 * upstream's endpoint controllers decide it: only Services with a selector that are not
 * ExternalName get endpoints from the controllers (an empty selector counts as none: the API drops
 * it), and a pod update only concerns the Services that select it before or after. Pure, but for
 * servicePodHandlers, which feeds those decisions to a controller's work queue.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.js';
import { keyOf, type Informer } from '../../client/informer.js';
import { podEndpointsChanged } from './pods.js';

/** The Service's endpoints are computed from the pods it selects. */
export function selectsPods(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** Whether the Service selects pods with these labels. */
export function serviceSelects(svc: Service, labels: Record<string, string> | undefined): boolean {
  return selectsPods(svc) && selectorFromSet(svc.spec!.selector).matches(labels);
}

/** Keys of the Services (of the pod's namespace, given) that select a pod with these labels. */
function selecting(services: Service[], labels: Record<string, string> | undefined): Set<string> {
  return new Set(services.filter((s) => serviceSelects(s, labels)).map((s) => keyOf(s)));
}

/**
 * Keys of the Services to sync after a pod event: `oldPod` undefined for an add, `newPod`
 * undefined for a delete. On an update, nothing when no endpoint-relevant field changed; when only
 * the labels changed, the Services that gained or lost the pod; when both, all that select it
 * before or after. `services` are the Services of the pod's namespace.
 */
export function servicesToSync(services: Service[], oldPod: Pod | undefined, newPod: Pod | undefined): Set<string> {
  if (!oldPod || !newPod) return selecting(services, (newPod ?? oldPod)?.metadata?.labels);
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!labelsChanged) return podChanged ? selecting(services, newPod.metadata?.labels) : new Set();
  const before = selecting(services, oldPod.metadata?.labels);
  const after = selecting(services, newPod.metadata?.labels);
  if (podChanged) return new Set([...before, ...after]);
  // Only membership changed: the Services in exactly one of the two sets.
  return new Set([...[...before].filter((k) => !after.has(k)), ...[...after].filter((k) => !before.has(k))]);
}

/**
 * Pod informer handlers of an endpoints controller: each pod event adds to `queue` the keys of the
 * Services it concerns (servicesToSync), from `services`, an informer indexed by namespace under
 * `namespaceIndex`. Non-blocking.
 */
export function servicePodHandlers(services: Informer<Service & { metadata: any }>, namespaceIndex: string, queue: { add(key: string): void }) {
  const podEvent = (oldPod: Pod | undefined, newPod: Pod | undefined) => {
    const ns = (newPod ?? oldPod)!.metadata!.namespace!;
    for (const k of servicesToSync(services.byIndex(namespaceIndex, ns), oldPod, newPod)) queue.add(k);
  };
  return {
    onAdd: (pod: Pod) => podEvent(undefined, pod),
    onUpdate: (oldPod: Pod, pod: Pod) => podEvent(oldPod, pod),
    onDelete: (pod: Pod) => podEvent(pod, undefined),
  };
}
