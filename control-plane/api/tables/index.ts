/**
 * Server-side printing: the Table columns and cells `kubectl get` shows for each kind, as
 * upstream's pkg/printers/internalversion prints them. The API server always prints every
 * column (upstream prints with Wide); kubectl hides priority-1 columns unless `-o wide`.
 * Rows are computed from storage-version objects. Kinds upstream has no printer for (Role,
 * ClusterRole, LimitRange) print with defaultTable.
 */
import type { TableDef } from '../registry.js';
import { cronJobTable, jobTable } from './batch.js';
import { leaseTable, namespaceTable, nodeTable, priorityClassTable } from './cluster.js';
import { configMapTable, resourceQuotaTable, secretTable, serviceAccountTable } from './config.js';
import { defaultTable } from './default.js';
import { eventTable } from './events.js';
import { endpointSliceTable, endpointsTable, ingressClassTable, ingressTable, networkPolicyTable, serviceTable } from './network.js';
import { podTable } from './pods.js';
import { podDisruptionBudgetTable } from './policy.js';
import { clusterRoleBindingTable, roleBindingTable } from './rbac.js';
import { persistentVolumeClaimTable, persistentVolumeTable, storageClassTable } from './storage.js';
import { horizontalPodAutoscalerTable } from './autoscaling.js';
import { controllerRevisionTable, daemonSetTable, deploymentTable, replicaSetTable, statefulSetTable } from './workloads.js';

export { defaultTable };
export { humanDuration, translateTimestampSince } from './duration.js';

/** Printers by storage key (registry.ts `storage`). */
export const tables: Record<string, TableDef> = {
  'core/pods': podTable,
  'core/services': serviceTable,
  'core/endpoints': endpointsTable,
  'core/nodes': nodeTable,
  'core/namespaces': namespaceTable,
  'core/configmaps': configMapTable,
  'core/secrets': secretTable,
  'core/serviceaccounts': serviceAccountTable,
  'core/events': eventTable,
  'core/resourcequotas': resourceQuotaTable,
  'core/persistentvolumes': persistentVolumeTable,
  'core/persistentvolumeclaims': persistentVolumeClaimTable,
  'apps/deployments': deploymentTable,
  'apps/replicasets': replicaSetTable,
  'apps/statefulsets': statefulSetTable,
  'apps/daemonsets': daemonSetTable,
  'apps/controllerrevisions': controllerRevisionTable,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerTable,
  'batch/jobs': jobTable,
  'batch/cronjobs': cronJobTable,
  'coordination.k8s.io/leases': leaseTable,
  'discovery.k8s.io/endpointslices': endpointSliceTable,
  'networking.k8s.io/ingresses': ingressTable,
  'networking.k8s.io/ingressclasses': ingressClassTable,
  'networking.k8s.io/networkpolicies': networkPolicyTable,
  'policy/poddisruptionbudgets': podDisruptionBudgetTable,
  'scheduling.k8s.io/priorityclasses': priorityClassTable,
  'storage.k8s.io/storageclasses': storageClassTable,
  'rbac.authorization.k8s.io/rolebindings': roleBindingTable,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingTable,
};

/** The printer of a storage key: its own, else the default Name / Created At table. */
export function tableFor(storage: string): TableDef {
  return Object.hasOwn(tables, storage) ? tables[storage]! : defaultTable;
}
