/**
 * Upstream's patch metadata for the fields of the served kinds, as the struct tags and markers of
 * k8s.io/api's types.go declare them: `patchStrategy`/`patchMergeKey` drive strategic merge patch,
 * `+listType`/`+listMapKey`/`+structType` drive server-side apply. Keys are `<model>.<jsonField>`
 * with the model names of types.json.
 *
 * Fields not listed here have no patch strategy (lists are replaced by strategic merge patch) and
 * are atomic for server-side apply when they are lists.
 */

export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
export type ListType = 'atomic' | 'set' | 'map';

export interface FieldPatchMeta {
  patchStrategy?: PatchStrategy;
  patchMergeKey?: string;
  listType?: ListType;
  listMapKeys?: string[];
  /** Schema defaults of list-map key fields, used when an item omits the key (protocol: TCP). */
  keyDefaults?: Record<string, string>;
}

const byName = (key: string): FieldPatchMeta => ({ patchStrategy: 'merge', patchMergeKey: key, listType: 'map', listMapKeys: [key] });
const conditions: FieldPatchMeta = byName('type');
const protocolTCP = { protocol: 'TCP' };

const CONTAINER: Record<string, FieldPatchMeta> = {
  ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: protocolTCP },
  env: byName('name'),
  envFrom: { listType: 'atomic' },
  volumeMounts: byName('mountPath'),
  volumeDevices: byName('devicePath'),
  resizePolicy: { listType: 'atomic' },
  restartPolicyRules: { listType: 'atomic' },
  args: { listType: 'atomic' },
  command: { listType: 'atomic' },
};

function fieldsOf(model: string, fields: Record<string, FieldPatchMeta>): [string, FieldPatchMeta][] {
  return Object.entries(fields).map(([field, meta]) => [`${model}.${field}`, meta]);
}

/** `<model>.<field>` → patch metadata. */
export const FIELD_PATCH_META: ReadonlyMap<string, FieldPatchMeta> = new Map<string, FieldPatchMeta>([
  ...fieldsOf('V1ObjectMeta', {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: byName('uid'),
  }),
  ...fieldsOf('V1PodSpec', {
    volumes: { ...byName('name'), patchStrategy: 'merge,retainKeys' },
    initContainers: byName('name'),
    containers: byName('name'),
    ephemeralContainers: byName('name'),
    imagePullSecrets: byName('name'),
    hostAliases: byName('ip'),
    topologySpreadConstraints: { patchStrategy: 'merge', patchMergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    tolerations: { listType: 'atomic' },
    readinessGates: { listType: 'atomic' },
    resourceClaims: { ...byName('name'), patchStrategy: 'merge,retainKeys' },
    schedulingGates: byName('name'),
  }),
  ...fieldsOf('V1Container', CONTAINER),
  ...fieldsOf('V1EphemeralContainer', CONTAINER),
  ...fieldsOf('V1ResourceRequirements', { claims: { listType: 'map', listMapKeys: ['name'] } }),
  ...fieldsOf('V1PodStatus', {
    conditions,
    podIPs: byName('ip'),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    containerStatuses: { listType: 'atomic' },
    initContainerStatuses: { listType: 'atomic' },
    ephemeralContainerStatuses: { listType: 'atomic' },
    resourceClaimStatuses: { ...byName('name'), patchStrategy: 'merge,retainKeys' },
  }),
  ...fieldsOf('V1ContainerStatus', {
    allocatedResourcesStatus: byName('name'),
    volumeMounts: byName('mountPath'),
  }),
  ...fieldsOf('V1ResourceStatus', { resources: { listType: 'map', listMapKeys: ['resourceID'] } }),
  ...fieldsOf('V1NodeSpec', {
    podCIDRs: { patchStrategy: 'merge', listType: 'set' },
    taints: { listType: 'atomic' },
  }),
  // Node addresses carry no listType: server-side apply derives an associative list from the patch key.
  ...fieldsOf('V1NodeStatus', { conditions, addresses: { patchStrategy: 'merge', patchMergeKey: 'type' } }),
  ...fieldsOf('V1ServiceSpec', {
    ports: { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'], keyDefaults: protocolTCP },
    clusterIPs: { listType: 'atomic' },
    ipFamilies: { listType: 'atomic' },
    externalIPs: { listType: 'atomic' },
    loadBalancerSourceRanges: { listType: 'atomic' },
  }),
  ...fieldsOf('V1ServiceStatus', { conditions }),
  ...fieldsOf('V1ServiceAccount', { secrets: byName('name'), imagePullSecrets: { listType: 'atomic' } }),
  ...fieldsOf('V1NamespaceSpec', { finalizers: { listType: 'atomic' } }),
  ...fieldsOf('V1NamespaceStatus', { conditions }),
  ...fieldsOf('V1PersistentVolumeClaimStatus', { conditions }),
  ...fieldsOf('V1DeploymentSpec', { strategy: { patchStrategy: 'retainKeys' } }),
  ...fieldsOf('V1DeploymentStatus', { conditions }),
  ...fieldsOf('V1ReplicaSetStatus', { conditions }),
  ...fieldsOf('V1StatefulSetStatus', { conditions }),
  ...fieldsOf('V1DaemonSetStatus', { conditions }),
  ...fieldsOf('V1JobStatus', { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } }),
  ...fieldsOf('V2HorizontalPodAutoscalerStatus', { conditions }),
  ...fieldsOf('V1PodDisruptionBudgetSpec', { selector: { patchStrategy: 'replace' } }),
  ...fieldsOf('V1PodDisruptionBudgetStatus', { conditions }),
]);

/** Structs that server-side apply treats as one value (`+structType=atomic`). */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  'V1LabelSelector',
  'V1OwnerReference',
  'V1LocalObjectReference',
  'V1ObjectReference',
  'V1TypedLocalObjectReference',
  'V1SecretReference',
  'V1ConfigMapKeySelector',
  'V1SecretKeySelector',
  'V1ObjectFieldSelector',
  'V1ResourceFieldSelector',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1TopologySelectorTerm',
]);
