/**
 * apps/v1 Deployment (`kubectl create deployment`).
 */
import { POD_TEMPLATE_SPEC } from './core-pod.js';
import { f, list, message, pointer } from './fields.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta.js';

const DEPLOYMENT_SPEC = message({
  1: pointer('replicas', 'int32'),
  2: f('selector', LABEL_SELECTOR),
  3: f('template', POD_TEMPLATE_SPEC),
  4: f('strategy', message({ 1: f('type', 'string'), 2: f('rollingUpdate', message({ 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') })) })),
  5: f('minReadySeconds', 'int32'),
  6: pointer('revisionHistoryLimit', 'int32'),
  7: f('paused', 'bool'),
  9: pointer('progressDeadlineSeconds', 'int32'),
  10: pointer('podReplacementPolicy', 'string'),
});

const DEPLOYMENT_STATUS = message({
  1: f('observedGeneration', 'int64'),
  2: f('replicas', 'int32'),
  3: f('updatedReplicas', 'int32'),
  7: f('readyReplicas', 'int32'),
  4: f('availableReplicas', 'int32'),
  5: f('unavailableReplicas', 'int32'),
  9: pointer('terminatingReplicas', 'int32'),
  6: list(
    'conditions',
    message({
      1: f('type', 'string'),
      2: f('status', 'string'),
      6: f('lastUpdateTime', 'time'),
      7: f('lastTransitionTime', 'time'),
      4: f('reason', 'string'),
      5: f('message', 'string'),
    }),
  ),
  8: pointer('collisionCount', 'int32'),
});

export const DEPLOYMENT = message({ 1: f('metadata', OBJECT_META), 2: f('spec', DEPLOYMENT_SPEC), 3: f('status', DEPLOYMENT_STATUS) });
