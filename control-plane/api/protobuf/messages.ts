/**
 * The kinds this server decodes from protobuf request bodies, by `apiVersion/kind`: those kubectl
 * 1.33 sends as protobuf (typed `create` subcommands, `autoscale` and `auth can-i`; measured in
 * shared/kubectl-probe). The schemas, with upstream's generated.proto field numbers (k8s.io/api
 * v1.33 and later; numbers are never reused), live in kinds/, one file per API group.
 */
import { DEPLOYMENT } from './kinds/apps.js';
import { HORIZONTAL_POD_AUTOSCALER } from './kinds/autoscaling.js';
import { SELF_SUBJECT_ACCESS_REVIEW } from './kinds/authorization.js';
import { CRON_JOB, JOB } from './kinds/batch.js';
import { CONFIG_MAP, NAMESPACE, RESOURCE_QUOTA, SECRET, SERVICE, SERVICE_ACCOUNT } from './kinds/core.js';
import { INGRESS } from './kinds/networking.js';
import { POD_DISRUPTION_BUDGET } from './kinds/policy.js';
import { CLUSTER_ROLE, ROLE, ROLE_BINDING } from './kinds/rbac.js';
import { PRIORITY_CLASS } from './kinds/scheduling.js';
import type { MessageSchema } from './schema.js';

/** Message schemas by `apiVersion/kind`. */
export const KINDS: Record<string, MessageSchema> = {
  'v1/ConfigMap': CONFIG_MAP,
  'v1/Secret': SECRET,
  'v1/Namespace': NAMESPACE,
  'v1/ServiceAccount': SERVICE_ACCOUNT,
  'v1/Service': SERVICE,
  'v1/ResourceQuota': RESOURCE_QUOTA,
  'apps/v1/Deployment': DEPLOYMENT,
  'autoscaling/v2/HorizontalPodAutoscaler': HORIZONTAL_POD_AUTOSCALER,
  'batch/v1/Job': JOB,
  'batch/v1/CronJob': CRON_JOB,
  'policy/v1/PodDisruptionBudget': POD_DISRUPTION_BUDGET,
  'rbac.authorization.k8s.io/v1/Role': ROLE,
  'rbac.authorization.k8s.io/v1/ClusterRole': CLUSTER_ROLE,
  'rbac.authorization.k8s.io/v1/RoleBinding': ROLE_BINDING,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ROLE_BINDING,
  'scheduling.k8s.io/v1/PriorityClass': PRIORITY_CLASS,
  'networking.k8s.io/v1/Ingress': INGRESS,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': SELF_SUBJECT_ACCESS_REVIEW,
};
