/** PriorityClass defaults: preemptionPolicy PreemptLowerPriority. */
import { isObject, setDefault } from './fields.js';

export function defaultPriorityClass(obj: any): void {
  if (isObject(obj)) setDefault(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}
