/** Printers of the apps group: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision. */
import { formatLabels, selectorFromLabelSelector } from '../labels.js';
import { controllerRefOf } from '../owner-references.js';
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC, TEXT } from './docs.js';
import { containerCells, formatLabelSelector } from './format.js';

const CONTAINERS = column('Containers', 'string', TEXT.containers, 1);
const IMAGES = column('Images', 'string', TEXT.images, 1);

/** spec.replicas as the internal type reads it: a missing pointer is 0. */
const replicas = (obj: any): number => obj.spec?.replicas ?? 0;
const count = (v: unknown): number => (typeof v === 'number' ? v : 0);

export const deploymentTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', TEXT.readyReplicas),
    column('Up-to-date', 'string', DOC['DeploymentStatus.updatedReplicas']),
    column('Available', 'string', DOC['DeploymentStatus.availableReplicas']),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', DOC['DeploymentSpec.selector'], 1),
  ],
  row(d, now) {
    let selector: string;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector).toString();
    } catch {
      selector = '<invalid>';
    }
    return [
      nameOf(d),
      `${count(d.status?.readyReplicas)}/${replicas(d)}`,
      count(d.status?.updatedReplicas),
      count(d.status?.availableReplicas),
      ageOf(d, now),
      ...containerCells(d.spec?.template?.spec?.containers),
      selector,
    ];
  },
};

export const replicaSetTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', DOC['ReplicaSetSpec.replicas']),
    column('Current', 'integer', DOC['ReplicaSetStatus.replicas']),
    column('Ready', 'integer', DOC['ReplicaSetStatus.readyReplicas']),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', DOC['ReplicaSetSpec.selector'], 1),
  ],
  row(rs, now) {
    return [
      nameOf(rs),
      replicas(rs),
      count(rs.status?.replicas),
      count(rs.status?.readyReplicas),
      ageOf(rs, now),
      ...containerCells(rs.spec?.template?.spec?.containers),
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const statefulSetTable: TableDef = {
  columns: [NAME_COLUMN, column('Ready', 'string', TEXT.readyReplicas), AGE_COLUMN, CONTAINERS, IMAGES],
  row(sts, now) {
    return [nameOf(sts), `${count(sts.status?.readyReplicas)}/${replicas(sts)}`, ageOf(sts, now), ...containerCells(sts.spec?.template?.spec?.containers)];
  },
};

export const daemonSetTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', DOC['DaemonSetStatus.desiredNumberScheduled']),
    column('Current', 'integer', DOC['DaemonSetStatus.currentNumberScheduled']),
    column('Ready', 'integer', DOC['DaemonSetStatus.numberReady']),
    column('Up-to-date', 'integer', DOC['DaemonSetStatus.updatedNumberScheduled']),
    column('Available', 'integer', DOC['DaemonSetStatus.numberAvailable']),
    column('Node Selector', 'string', DOC['PodSpec.nodeSelector']),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', DOC['DaemonSetSpec.selector'], 1),
  ],
  row(ds, now) {
    const status = ds.status ?? {};
    return [
      nameOf(ds),
      count(status.desiredNumberScheduled),
      count(status.currentNumberScheduled),
      count(status.numberReady),
      count(status.updatedNumberScheduled),
      count(status.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(ds, now),
      ...containerCells(ds.spec?.template?.spec?.containers),
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

/** `daemonset.apps/web` for the controller owner reference of a revision, else `<none>`. */
function controllerName(obj: any): string {
  const ref = controllerRefOf(obj);
  if (!ref) return '<none>';
  const apiVersion: string = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind: string = ref.kind ?? '';
  if (!kind && !group) return ref.name ?? '';
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name ?? ''}`;
}

export const controllerRevisionTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', DOC['ControllerRevision.revision']),
    AGE_COLUMN,
  ],
  row(cr, now) {
    return [nameOf(cr), controllerName(cr), count(cr.revision), ageOf(cr, now)];
  },
};
