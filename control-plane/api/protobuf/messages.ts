/**
 * The generated.proto messages of the kinds this server decodes from protobuf (what kubectl 1.32+
 * sends for `create configmap|secret|namespace|serviceaccount` and `auth can-i`), with upstream's field numbers
 * (k8s.io/api core/v1 and authorization/v1, k8s.io/apimachinery meta/v1).
 */
import type { FieldSpec, FieldType, MessageSchema } from './schema.js';

const f = (name: string, type: FieldType, extra: Omit<FieldSpec, 'name' | 'type'> = {}): FieldSpec => ({ name, type, ...extra });
const list = (name: string, type: FieldType): FieldSpec => f(name, type, { repeated: true });
const pointer = (name: string, type: FieldType): FieldSpec => f(name, type, { optional: true });
const message = (fields: Record<number, FieldSpec>): MessageSchema => ({ fields });

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

const OBJECT_REFERENCE = message({
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('fieldPath', 'string'),
});

const SELECTOR_REQUIREMENT = message({ 1: f('key', 'string'), 2: f('operator', 'string'), 3: list('values', 'string') });
const SELECTOR_ATTRIBUTES = message({ 1: f('rawSelector', 'string'), 2: list('requirements', SELECTOR_REQUIREMENT) });

const RESOURCE_ATTRIBUTES = message({
  1: f('namespace', 'string'),
  2: f('verb', 'string'),
  3: f('group', 'string'),
  4: f('version', 'string'),
  5: f('resource', 'string'),
  6: f('subresource', 'string'),
  7: f('name', 'string'),
  8: f('fieldSelector', SELECTOR_ATTRIBUTES),
  9: f('labelSelector', SELECTOR_ATTRIBUTES),
});

/** Message schemas by `apiVersion/kind`. */
export const KINDS: Record<string, MessageSchema> = {
  'v1/ConfigMap': message({
    1: f('metadata', OBJECT_META),
    2: f('data', 'stringMap'),
    3: f('binaryData', 'bytesMap'),
    4: pointer('immutable', 'bool'),
  }),
  'v1/Secret': message({
    1: f('metadata', OBJECT_META),
    2: f('data', 'bytesMap'),
    3: f('type', 'string'),
    4: f('stringData', 'stringMap'),
    5: pointer('immutable', 'bool'),
  }),
  'v1/Namespace': message({
    1: f('metadata', OBJECT_META),
    2: f('spec', message({ 1: list('finalizers', 'string') })),
    3: f('status', message({ 1: f('phase', 'string') })),
  }),
  'v1/ServiceAccount': message({
    1: f('metadata', OBJECT_META),
    2: list('secrets', OBJECT_REFERENCE),
    3: list('imagePullSecrets', message({ 1: f('name', 'string') })),
    4: pointer('automountServiceAccountToken', 'bool'),
  }),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': message({
    1: f('metadata', OBJECT_META),
    2: f('spec', message({ 1: f('resourceAttributes', RESOURCE_ATTRIBUTES), 2: f('nonResourceAttributes', message({ 1: f('path', 'string'), 2: f('verb', 'string') })) })),
    3: f('status', message({ 1: f('allowed', 'bool'), 2: f('reason', 'string'), 3: f('evaluationError', 'string'), 4: f('denied', 'bool') })),
  }),
};
