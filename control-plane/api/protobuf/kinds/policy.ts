/**
 * policy/v1 PodDisruptionBudget (`kubectl create poddisruptionbudget`).
 */
import { always, f, list, message, pointer } from './fields.js';
import { CONDITION, LABEL_SELECTOR, OBJECT_META } from './meta.js';

export const POD_DISRUPTION_BUDGET = message({
  1: f('metadata', OBJECT_META),
  2: f(
    'spec',
    message({
      1: f('minAvailable', 'intOrString'),
      2: f('selector', LABEL_SELECTOR),
      3: f('maxUnavailable', 'intOrString'),
      4: pointer('unhealthyPodEvictionPolicy', 'string'),
    }),
  ),
  3: f(
    'status',
    message({
      1: f('observedGeneration', 'int64'),
      2: f('disruptedPods', 'timeMap'),
      3: always('disruptionsAllowed', 'int32'),
      4: always('currentHealthy', 'int32'),
      5: always('desiredHealthy', 'int32'),
      6: always('expectedPods', 'int32'),
      7: list('conditions', CONDITION),
    }),
  ),
});
