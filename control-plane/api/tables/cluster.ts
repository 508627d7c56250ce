/** Printers of cluster-level kinds: Node, Namespace, Lease, PriorityClass. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** `Ready`, `NotReady` or `Unknown` from the Ready condition, plus `SchedulingDisabled` when cordoned. */
function nodeStatus(node: any): string {
  const conditions: any[] = node.status?.conditions ?? [];
  const ready = conditions.filter((c) => c.type === 'Ready').pop();
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
function nodeRoles(node: any): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length) roles.add(k.slice(NODE_ROLE_PREFIX.length));
    else if (k === NODE_ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

const address = (node: any, type: string): string => (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';

export const nodeTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', DOC['NodeSystemInfo.kubeletVersion']),
    column('Internal-IP', 'string', DOC['NodeStatus.addresses'], 1),
    column('External-IP', 'string', DOC['NodeStatus.addresses'], 1),
    column('OS-Image', 'string', DOC['NodeSystemInfo.osImage'], 1),
    column('Kernel-Version', 'string', DOC['NodeSystemInfo.kernelVersion'], 1),
    column('Container-Runtime', 'string', DOC['NodeSystemInfo.containerRuntimeVersion'], 1),
  ],
  row(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      nameOf(node),
      nodeStatus(node),
      nodeRoles(node),
      ageOf(node, now),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const namespaceTable: TableDef = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  row(ns, now) {
    return [nameOf(ns), ns.status?.phase ?? '', ageOf(ns, now)];
  },
};

export const leaseTable: TableDef = {
  columns: [NAME_COLUMN, column('Holder', 'string', DOC['LeaseSpec.holderIdentity']), AGE_COLUMN],
  row(lease, now) {
    return [nameOf(lease), lease.spec?.holderIdentity ?? '', ageOf(lease, now)];
  },
};

export const priorityClassTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Value', 'integer', DOC['PriorityClass.value']),
    column('Global-Default', 'boolean', DOC['PriorityClass.globalDefault']),
    AGE_COLUMN,
    column('PreemptionPolicy', 'string', DOC['PriorityClass.preemptionPolicy']),
  ],
  row(pc, now) {
    return [nameOf(pc), pc.value ?? 0, pc.globalDefault === true, ageOf(pc, now), pc.preemptionPolicy ?? ''];
  },
};
