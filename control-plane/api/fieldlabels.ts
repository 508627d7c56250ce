/**
 * The fields an object offers to field selectors, per storage key, as upstream's registry
 * strategies compute them (ToSelectableFields in pkg/registry/.../strategy.go). Every function
 * returns every one of its keys, also for an empty object (unset counts read '0' / 'false' / ''),
 * because upstream's sets always carry each key. Which labels a request may name at all is a
 * different list (the field label conversion functions); see fieldselector.ts.
 */
import type { FieldLabels } from './registry.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): string => String(typeof v === 'number' ? v : 0);
const bool = (v: unknown): string => String(v === true);

/** Extra selectable fields besides metadata.name and metadata.namespace, by storage key. */
export const fieldLabels: Record<string, FieldLabels> = {
  'core/pods': (pod) => ({
    'spec.nodeName': str(pod.spec?.nodeName),
    'spec.restartPolicy': str(pod.spec?.restartPolicy),
    'spec.schedulerName': str(pod.spec?.schedulerName),
    'spec.serviceAccountName': str(pod.spec?.serviceAccountName),
    'spec.hostNetwork': bool(pod.spec?.hostNetwork),
    'status.phase': str(pod.status?.phase),
    // upstream reads status.podIPs[0]; a v1 object with only podIP converts to the same list
    'status.podIP': str(pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP),
    'status.nominatedNodeName': str(pod.status?.nominatedNodeName),
  }),
  'core/events': (ev) => ({
    'involvedObject.kind': str(ev.involvedObject?.kind),
    'involvedObject.namespace': str(ev.involvedObject?.namespace),
    'involvedObject.name': str(ev.involvedObject?.name),
    'involvedObject.uid': str(ev.involvedObject?.uid),
    'involvedObject.apiVersion': str(ev.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': str(ev.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': str(ev.involvedObject?.fieldPath),
    reason: str(ev.reason),
    reportingComponent: str(ev.reportingComponent),
    source: str(ev.source?.component) || str(ev.reportingComponent),
    type: str(ev.type),
  }),
  'core/namespaces': (ns) => ({ 'status.phase': str(ns.status?.phase) }),
  'core/nodes': (node) => ({ 'spec.unschedulable': bool(node.spec?.unschedulable) }),
  'core/secrets': (secret) => ({ type: str(secret.type) }),
  'core/services': (svc) => ({ 'spec.clusterIP': str(svc.spec?.clusterIP), 'spec.type': str(svc.spec?.type) }),
  'apps/replicasets': (rs) => ({ 'status.replicas': int(rs.status?.replicas) }),
  'batch/jobs': (job) => ({ 'status.successful': int(job.status?.succeeded) }),
};

/** Every selectable field of a stored object: metadata.name, metadata.namespace and the kind's own. */
export function objectFields(storage: string, obj: any): Record<string, string> {
  return {
    'metadata.name': str(obj?.metadata?.name),
    'metadata.namespace': str(obj?.metadata?.namespace),
    ...(Object.hasOwn(fieldLabels, storage) ? fieldLabels[storage]!(obj ?? {}) : {}),
  };
}
