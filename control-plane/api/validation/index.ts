/**
 * Validation of every stored kind, keyed by registry storage key (`core/pods`, `apps/deployments`).
 * Each validator checks the object's metadata and content on create (`old` undefined) or an update
 * from `old`, returning every problem in upstream's words (empty: valid). Objects are expected in
 * their storage version and already defaulted (see ../defaults), as upstream validates after
 * defaulting. Validators never throw on malformed input.
 */
import type { Validator } from '../registry.js';
import type { FieldError } from '../status.js';
import { validateTokenReview } from './authentication.js';
import { validateSelfSubjectAccessReview } from './authorization.js';
import { validateHorizontalPodAutoscaler } from './autoscaling.js';
import { validateCronJob, validateJob } from './batch.js';
import { validateNamespace, validateNode } from './cluster.js';
import { validateConfigMap, validateSecret } from './config.js';
import { validatePodDisruptionBudget } from './disruption.js';
import { validateEndpointSlice, validateEndpoints } from './endpoints.js';
import { validateEvent } from './events.js';
import { validateLease } from './lease.js';
import { subdomainName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateIngress, validateIngressClass, validateNetworkPolicy } from './networking.js';
import { validatePod } from './pod.js';
import { validateLimitRange, validateResourceQuota } from './quota.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.js';
import { validatePriorityClass } from './scheduling.js';
import { validateService } from './service.js';
import { validatePersistentVolume, validatePersistentVolumeClaim, validateStorageClass } from './storage.js';
import { validateControllerRevision, validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet } from './workloads.js';

/** ServiceAccounts carry nothing beyond metadata to check. */
const validateServiceAccount: Validator = (obj, old) =>
  old === undefined ? validateObjectMeta(obj?.metadata, { namespaced: true, name: subdomainName }) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);

export const validators: Record<string, Validator> = {
  'core/namespaces': validateNamespace,
  'core/nodes': validateNode,
  'core/pods': validatePod,
  'core/services': validateService,
  'core/endpoints': validateEndpoints,
  'core/configmaps': validateConfigMap,
  'core/secrets': validateSecret,
  'core/serviceaccounts': validateServiceAccount,
  'core/events': validateEvent,
  'core/limitranges': validateLimitRange,
  'core/resourcequotas': validateResourceQuota,
  'core/persistentvolumes': validatePersistentVolume,
  'core/persistentvolumeclaims': validatePersistentVolumeClaim,
  'apps/controllerrevisions': validateControllerRevision,
  'apps/daemonsets': validateDaemonSet,
  'apps/deployments': validateDeployment,
  'apps/replicasets': validateReplicaSet,
  'apps/statefulsets': validateStatefulSet,
  'autoscaling/horizontalpodautoscalers': validateHorizontalPodAutoscaler,
  'batch/cronjobs': validateCronJob,
  'batch/jobs': validateJob,
  'coordination.k8s.io/leases': validateLease,
  'discovery.k8s.io/endpointslices': validateEndpointSlice,
  'networking.k8s.io/ingressclasses': validateIngressClass,
  'networking.k8s.io/ingresses': validateIngress,
  'networking.k8s.io/networkpolicies': validateNetworkPolicy,
  'policy/poddisruptionbudgets': validatePodDisruptionBudget,
  'scheduling.k8s.io/priorityclasses': validatePriorityClass,
  'storage.k8s.io/storageclasses': validateStorageClass,
  'rbac.authorization.k8s.io/clusterrolebindings': validateClusterRoleBinding,
  'rbac.authorization.k8s.io/clusterroles': validateClusterRole,
  'rbac.authorization.k8s.io/rolebindings': validateRoleBinding,
  'rbac.authorization.k8s.io/roles': validateRole,
  'authentication.k8s.io/tokenreviews': validateTokenReview,
  'authorization.k8s.io/selfsubjectaccessreviews': validateSelfSubjectAccessReview,
};

/**
 * Validates `obj` (create) or its update from `old` with the kind's validator, metadata included.
 * Identical errors are reported once. Throws only for a storage key with no validator (a
 * programming error: every registry kind has one).
 */
export function validateObject(storage: string, obj: any, old?: any): FieldError[] {
  const validate = validators[storage];
  if (!validate) throw new Error(`no validator registered for ${storage}`);
  const seen = new Set<string>();
  return validate(obj, old).filter((e) => {
    const key = `${e.type}\u0000${e.field}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
