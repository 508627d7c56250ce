/**
 * Defaulting of every stored kind, keyed by registry storage key: fills unset fields in place with
 * exactly the values upstream's defaulters (SetDefaults_* in k8s.io/kubernetes/pkg/apis/<group>/<v>)
 * set, so `kubectl get -o yaml` shows what it shows against Kubernetes. Idempotent; safe on
 * malformed objects (what it cannot default is left for validation to report). Kinds without
 * defaults map to a no-op so every registry kind has an entry.
 */
import type { Defaulter } from '../registry.js';
import { defaultHorizontalPodAutoscaler } from './autoscaling.js';
import { defaultCronJob, defaultJob } from './batch.js';
import { defaultNamespace, defaultNode } from './cluster.js';
import { defaultSecret } from './config.js';
import { defaultEndpointSlice, defaultEndpoints } from './endpoints.js';
import { defaultIngressClass, defaultNetworkPolicy } from './networking.js';
import { defaultPod } from './pod.js';
import { defaultLimitRange, defaultResourceQuota } from './quota.js';
import { defaultBinding } from './rbac.js';
import { defaultPriorityClass } from './scheduling.js';
import { defaultService } from './service.js';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from './storage.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './workloads.js';

const none: Defaulter = () => {};

export const defaulters: Record<string, Defaulter> = {
  'core/namespaces': defaultNamespace,
  'core/nodes': defaultNode,
  'core/pods': defaultPod,
  'core/services': defaultService,
  'core/endpoints': defaultEndpoints,
  'core/configmaps': none,
  'core/secrets': defaultSecret,
  'core/serviceaccounts': none,
  'core/events': none,
  'core/limitranges': defaultLimitRange,
  'core/resourcequotas': defaultResourceQuota,
  'core/persistentvolumes': defaultPersistentVolume,
  'core/persistentvolumeclaims': defaultPersistentVolumeClaim,
  'apps/controllerrevisions': none,
  'apps/daemonsets': defaultDaemonSet,
  'apps/deployments': defaultDeployment,
  'apps/replicasets': defaultReplicaSet,
  'apps/statefulsets': defaultStatefulSet,
  'autoscaling/horizontalpodautoscalers': defaultHorizontalPodAutoscaler,
  'batch/cronjobs': defaultCronJob,
  'batch/jobs': defaultJob,
  'coordination.k8s.io/leases': none,
  'discovery.k8s.io/endpointslices': defaultEndpointSlice,
  'networking.k8s.io/ingressclasses': defaultIngressClass,
  'networking.k8s.io/ingresses': none,
  'networking.k8s.io/networkpolicies': defaultNetworkPolicy,
  'policy/poddisruptionbudgets': none,
  'scheduling.k8s.io/priorityclasses': defaultPriorityClass,
  'storage.k8s.io/storageclasses': defaultStorageClass,
  'rbac.authorization.k8s.io/clusterrolebindings': defaultBinding,
  'rbac.authorization.k8s.io/clusterroles': none,
  'rbac.authorization.k8s.io/rolebindings': defaultBinding,
  'rbac.authorization.k8s.io/roles': none,
  'authentication.k8s.io/tokenreviews': none,
  'authorization.k8s.io/selfsubjectaccessreviews': none,
};

/** Applies the kind's defaults to `obj` in place. Throws only for an unknown storage key. */
export function defaultObject(storage: string, obj: any): void {
  const apply = defaulters[storage];
  if (!apply) throw new Error(`no defaulter registered for ${storage}`);
  apply(obj);
}
