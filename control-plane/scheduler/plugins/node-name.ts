/**
 * NodeName (filter): a pod that names its node (spec.nodeName) fits only that node.
 */
import { rejection } from '../fit-error.js';
import type { FilterPlugin } from '../framework.js';

const REJECTED = rejection("node(s) didn't match the requested node name", true);

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  events: ['NodeAdd'],
  preFilter: (pod) => pod.nodeName !== undefined,
  filter: (pod, node) => (pod.nodeName !== node.name ? REJECTED : undefined),
};
