/**
 * autoscaling/v2 HorizontalPodAutoscaler (`kubectl autoscale`, which sends protobuf and falls
 * back to autoscaling/v1 when v2 is refused).
 */
import { always, f, list, message, pointer } from './fields.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta.js';

const CROSS_VERSION_OBJECT_REFERENCE = message({ 1: always('kind', 'string'), 2: always('name', 'string'), 3: f('apiVersion', 'string') });

const METRIC_IDENTIFIER = message({ 1: f('name', 'string'), 2: f('selector', LABEL_SELECTOR) });

const METRIC_TARGET = message({ 1: f('type', 'string'), 2: f('value', 'quantity'), 3: f('averageValue', 'quantity'), 4: pointer('averageUtilization', 'int32') });

const METRIC_VALUE_STATUS = message({ 1: f('value', 'quantity'), 2: f('averageValue', 'quantity'), 3: pointer('averageUtilization', 'int32') });

const METRIC_SPEC = message({
  1: f('type', 'string'),
  2: f('object', message({ 1: f('describedObject', CROSS_VERSION_OBJECT_REFERENCE), 2: f('target', METRIC_TARGET), 3: f('metric', METRIC_IDENTIFIER) })),
  3: f('pods', message({ 1: f('metric', METRIC_IDENTIFIER), 2: f('target', METRIC_TARGET) })),
  4: f('resource', message({ 1: f('name', 'string'), 2: f('target', METRIC_TARGET) })),
  7: f('containerResource', message({ 1: f('name', 'string'), 2: f('target', METRIC_TARGET), 3: f('container', 'string') })),
  5: f('external', message({ 1: f('metric', METRIC_IDENTIFIER), 2: f('target', METRIC_TARGET) })),
});

const METRIC_STATUS = message({
  1: f('type', 'string'),
  2: f('object', message({ 1: f('metric', METRIC_IDENTIFIER), 2: f('current', METRIC_VALUE_STATUS), 3: f('describedObject', CROSS_VERSION_OBJECT_REFERENCE) })),
  3: f('pods', message({ 1: f('metric', METRIC_IDENTIFIER), 2: f('current', METRIC_VALUE_STATUS) })),
  4: f('resource', message({ 1: f('name', 'string'), 2: f('current', METRIC_VALUE_STATUS) })),
  7: f('containerResource', message({ 1: f('name', 'string'), 2: f('current', METRIC_VALUE_STATUS), 3: f('container', 'string') })),
  5: f('external', message({ 1: f('metric', METRIC_IDENTIFIER), 2: f('current', METRIC_VALUE_STATUS) })),
});

const SCALING_RULES = message({
  3: pointer('stabilizationWindowSeconds', 'int32'),
  1: pointer('selectPolicy', 'string'),
  2: list('policies', message({ 1: always('type', 'string'), 2: always('value', 'int32'), 3: always('periodSeconds', 'int32') })),
  4: f('tolerance', 'quantity'),
});

export const HORIZONTAL_POD_AUTOSCALER = message({
  1: f('metadata', OBJECT_META),
  2: f(
    'spec',
    message({
      1: f('scaleTargetRef', CROSS_VERSION_OBJECT_REFERENCE),
      2: pointer('minReplicas', 'int32'),
      3: always('maxReplicas', 'int32'),
      4: list('metrics', METRIC_SPEC),
      5: f('behavior', message({ 1: f('scaleUp', SCALING_RULES), 2: f('scaleDown', SCALING_RULES) })),
    }),
  ),
  3: f(
    'status',
    message({
      1: pointer('observedGeneration', 'int64'),
      2: f('lastScaleTime', 'time'),
      3: f('currentReplicas', 'int32'),
      4: always('desiredReplicas', 'int32'),
      5: list('currentMetrics', METRIC_STATUS),
      6: list(
        'conditions',
        message({ 1: f('type', 'string'), 2: f('status', 'string'), 3: f('lastTransitionTime', 'time'), 4: f('reason', 'string'), 5: f('message', 'string') }),
      ),
    }),
  ),
});
