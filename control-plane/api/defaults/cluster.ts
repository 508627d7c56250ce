/**
 * Namespace and Node defaults: every named namespace carries the `kubernetes.io/metadata.name`
 * label; a node's allocatable defaults to its capacity. (A namespace's `Active` phase is set by
 * the API server on create, not here.)
 */
import { child, existing, isObject } from './fields.js';
import { defaultResourceList } from './resources.js';

export function defaultNamespace(obj: any): void {
  if (!isObject(obj)) return;
  const meta = existing(obj, 'metadata');
  if (!meta || typeof meta.name !== 'string' || meta.name === '') return;
  const labels = child(meta, 'labels');
  if (labels) labels['kubernetes.io/metadata.name'] = meta.name;
}

export function defaultNode(obj: any): void {
  const status = existing(obj, 'status');
  if (!status) return;
  defaultResourceList(status.capacity);
  if (isObject(status.capacity) && (status.allocatable === undefined || status.allocatable === null)) status.allocatable = { ...status.capacity };
  defaultResourceList(status.allocatable);
}
