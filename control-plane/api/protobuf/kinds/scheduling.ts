/**
 * scheduling.k8s.io/v1 PriorityClass (`kubectl create priorityclass`).
 */
import { always, f, message, pointer } from './fields.js';
import { OBJECT_META } from './meta.js';

export const PRIORITY_CLASS = message({
  1: f('metadata', OBJECT_META),
  2: always('value', 'int32'),
  3: f('globalDefault', 'bool'),
  4: f('description', 'string'),
  5: pointer('preemptionPolicy', 'string'),
});
