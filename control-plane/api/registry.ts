/**
 * The resource registry: one table entry per served resource drives the API server's routes,
 * discovery documents, OpenAPI, Tables, validation and defaulting. Adding a kind means adding an
 * entry here plus its validation (validation/), defaulting (defaults/) and printer (tables/).
 *
 * A served resource (group/version/plural) maps to a storage resource; several served versions can
 * share one storage resource through conversion functions (HPA autoscaling/v1 and v2, core and
 * events.k8s.io Events).
 */
import type { FieldError } from './status.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** A Table column as meta.k8s.io/v1 TableColumnDefinition; priority > 0 shows only with `-o wide`. */
export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** How `kubectl get` prints a kind: its columns and one row of cells per object. */
export interface TableDef {
  columns: ColumnDefinition[];
  /** Cells for one object, in column order. `now` is the time AGE columns count from. */
  row(obj: any, now: Date): unknown[];
}

/** Checks an object; `old` is the stored object on update. Returns every problem found (empty: valid). */
export type Validator = (obj: any, old?: any) => FieldError[];

/** Fills unset fields with upstream's defaults, in place. Idempotent. */
export type Defaulter = (obj: any) => void;

/** Extra field-selector labels a kind supports besides metadata.name and metadata.namespace. */
export type FieldLabels = (obj: any) => Record<string, string>;

/** Conversion between a served version and the storage version; both functions return new objects. */
export interface Conversion {
  toStorage(obj: any): any;
  fromStorage(obj: any): any;
}

export type SubresourceName = 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy';

export interface ResourceDef {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The resource name in URLs (plural, lower case). */
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceName[];
  /** Storage key, `<group or core>/<plural>`; served versions of one kind share it. */
  storage: string;
  /** Whether this is the version objects are stored in; the others convert through conversions.ts. */
  storageVersion: boolean;
  /** metadata.generation counts changes of everything but metadata and status. */
  tracksGeneration: boolean;
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NO_COLLECTION_DELETE: Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

type Entry = Omit<ResourceDef, 'verbs' | 'shortNames' | 'categories' | 'subresources' | 'storage' | 'storageVersion' | 'tracksGeneration' | 'singular'> &
  Partial<Pick<ResourceDef, 'verbs' | 'shortNames' | 'categories' | 'subresources' | 'storage' | 'storageVersion' | 'tracksGeneration' | 'singular'>>;

function entry(e: Entry): ResourceDef {
  return {
    verbs: ALL_VERBS,
    shortNames: [],
    categories: [],
    subresources: [],
    storage: `${e.group || 'core'}/${e.plural}`,
    storageVersion: true,
    tracksGeneration: false,
    singular: e.kind.toLowerCase(),
    ...e,
  };
}

const ALL = ['all'];

/** Served resources, in the order discovery lists them. */
export const RESOURCES: ResourceDef[] = [
  // core/v1
  entry({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: NO_COLLECTION_DELETE, shortNames: ['ns'], subresources: ['status'] }),
  entry({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status', 'proxy'] }),
  entry({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ALL, subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy'], tracksGeneration: true }),
  entry({ group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, verbs: NO_COLLECTION_DELETE, shortNames: ['svc'], categories: ALL, subresources: ['status', 'proxy'] }),
  entry({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  entry({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  entry({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true }),
  entry({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] }),
  entry({ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
  entry({ group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] }),
  entry({ group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], subresources: ['status'] }),
  entry({ group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: ['status'] }),
  entry({ group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], subresources: ['status'] }),
  // apps/v1
  entry({ group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true }),
  entry({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ALL, subresources: ['status'], tracksGeneration: true }),
  entry({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ALL, subresources: ['status', 'scale'], tracksGeneration: true }),
  entry({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ALL, subresources: ['status', 'scale'], tracksGeneration: true }),
  entry({ group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ALL, subresources: ['status', 'scale'], tracksGeneration: true }),
  // autoscaling
  entry({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ALL, subresources: ['status'], tracksGeneration: true }),
  entry({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ALL, subresources: ['status'], tracksGeneration: true, storage: 'autoscaling/horizontalpodautoscalers', storageVersion: false }),
  // batch/v1
  entry({ group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ALL, subresources: ['status'], tracksGeneration: true }),
  entry({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ALL, subresources: ['status'], tracksGeneration: true }),
  // coordination, discovery, events
  entry({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
  entry({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true }),
  entry({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], storage: 'core/events', storageVersion: false }),
  // networking, policy, scheduling, storage
  entry({ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false }),
  entry({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], subresources: ['status'], tracksGeneration: true }),
  entry({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'], tracksGeneration: true }),
  entry({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], subresources: ['status'], tracksGeneration: true }),
  entry({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] }),
  entry({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] }),
  // rbac
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true }),
  // authentication and authorization: reviews are answered, never stored
  entry({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: ['create'] }),
  entry({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] }),
];

/** Served group-versions in discovery order; the first version of a group is its preferred version. */
export function groupVersions(): { group: string; versions: string[] }[] {
  const groups: { group: string; versions: string[] }[] = [];
  for (const r of RESOURCES) {
    let g = groups.find((x) => x.group === r.group);
    if (!g) groups.push((g = { group: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return groups;
}

/** The served resource for group/version/plural, or undefined. */
export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The storage-version definition of a storage key (`apps/deployments`). */
export function storageResource(storage: string): ResourceDef {
  const def = RESOURCES.find((r) => r.storage === storage && r.storageVersion);
  if (!def) throw new Error(`no storage version registered for ${storage}`);
  return def;
}

/** `apps/v1` or `v1`. */
export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
