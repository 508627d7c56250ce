/**
 * autoscaling/v2 HorizontalPodAutoscaler defaults as upstream sets them: minReplicas 1, an 80%
 * average CPU utilization metric when none is given, and, when `behavior` is present, every unset
 * scaling rule filled from upstream's defaults (scale up: 0s window, max of 4 pods or 100% per
 * 15s; scale down: max 100% per 15s, window left to the controller's 300s default).
 */
import { child, isObject, setDefault } from './fields.js';

function scaleUpRules(): Record<string, any> {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

function scaleDownRules(): Record<string, any> {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** Copies the set fields of `given` over `defaults` (upstream's copyHPAScalingRules). */
function mergeRules(given: unknown, defaults: Record<string, any>): Record<string, any> {
  if (!isObject(given)) return defaults;
  for (const field of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) {
    if (given[field] !== undefined && given[field] !== null) defaults[field] = given[field];
  }
  return defaults;
}

export function defaultHorizontalPodAutoscaler(obj: any): void {
  if (!isObject(obj)) return;
  const spec = child(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'minReplicas', 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObject(spec.behavior)) {
    spec.behavior.scaleUp = mergeRules(spec.behavior.scaleUp, scaleUpRules());
    spec.behavior.scaleDown = mergeRules(spec.behavior.scaleDown, scaleDownRules());
  }
}
