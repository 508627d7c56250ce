/**
 * k8s.io/apimachinery meta/v1 messages embedded in every kind: ObjectMeta, LabelSelector, Condition.
 */
import { f, list, message, pointer } from './fields.js';

const OWNER_REFERENCE = message({
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: pointer('controller', 'bool'),
  7: pointer('blockOwnerDeletion', 'bool'),
});

const MANAGED_FIELDS_ENTRY = message({
  1: f('manager', 'string'),
  2: f('operation', 'string'),
  3: f('apiVersion', 'string'),
  4: f('time', 'time'),
  6: f('fieldsType', 'string'),
  7: f('fieldsV1', 'fieldsV1'),
  8: f('subresource', 'string'),
});

export const OBJECT_META = message({
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int64'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: pointer('deletionGracePeriodSeconds', 'int64'),
  11: f('labels', 'stringMap'),
  12: f('annotations', 'stringMap'),
  13: list('ownerReferences', OWNER_REFERENCE),
  14: list('finalizers', 'string'),
  17: list('managedFields', MANAGED_FIELDS_ENTRY),
});

export const LABEL_SELECTOR = message({
  1: f('matchLabels', 'stringMap'),
  2: list('matchExpressions', message({ 1: f('key', 'string'), 2: f('operator', 'string'), 3: list('values', 'string') })),
});

export const CONDITION = message({
  1: f('type', 'string'),
  2: f('status', 'string'),
  3: f('observedGeneration', 'int64'),
  4: f('lastTransitionTime', 'time'),
  5: f('reason', 'string'),
  6: f('message', 'string'),
});
