/**
 * NodeUnschedulable (filter): a cordoned node (spec.unschedulable) takes only pods that tolerate
 * the `node.kubernetes.io/unschedulable:NoSchedule` taint.
 */
import { toleratedBy, type Taint } from '../../api/taints.js';
import { rejection } from '../fit-error.js';
import type { FilterPlugin } from '../framework.js';

export const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const REJECTED = rejection("node(s) were unschedulable", true);

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  events: ['NodeAdd', 'NodeUpdate'],
  filter: (pod, node) => (node.unschedulable && !toleratedBy(UNSCHEDULABLE_TAINT, pod.tolerations) ? REJECTED : undefined),
};
