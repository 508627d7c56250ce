/**
 * core/v1 references and selectors shared by pod templates, volumes and the other core kinds.
 */
import { f, inline, list, message, pointer } from './fields.js';

export const LOCAL_OBJECT_REFERENCE = message({ 1: f('name', 'string') });

export const OBJECT_REFERENCE = message({
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('fieldPath', 'string'),
});

export const TYPED_LOCAL_OBJECT_REFERENCE = message({ 1: pointer('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') });

export const TYPED_OBJECT_REFERENCE = message({
  1: pointer('apiGroup', 'string'),
  2: f('kind', 'string'),
  3: f('name', 'string'),
  4: pointer('namespace', 'string'),
});

export const OBJECT_FIELD_SELECTOR = message({ 1: f('apiVersion', 'string'), 2: f('fieldPath', 'string') });

/** divisor is a non-pointer Quantity: always on the wire, "0" when unset (as Go's JSON has it). */
export const RESOURCE_FIELD_SELECTOR = message({ 1: f('containerName', 'string'), 2: f('resource', 'string'), 3: f('divisor', 'quantity') });

/** KeyToPath of configMap, secret and projected volumes. */
export const KEY_TO_PATH = message({ 1: f('key', 'string'), 2: f('path', 'string'), 3: pointer('mode', 'int32') });

/** A reference to a ConfigMap or Secret by name (inlined), and whether it may be missing. */
export const OPTIONAL_LOCAL_REFERENCE = message({ 1: inline('localObjectReference', LOCAL_OBJECT_REFERENCE), 2: pointer('optional', 'bool') });

/** ConfigMapKeySelector and SecretKeySelector. */
export const KEY_SELECTOR = message({ 1: inline('localObjectReference', LOCAL_OBJECT_REFERENCE), 2: f('key', 'string'), 3: pointer('optional', 'bool') });

/** ResourceRequirements (containers and pod-level resources). */
export const RESOURCE_REQUIREMENTS = message({
  1: f('limits', 'quantityMap'),
  2: f('requests', 'quantityMap'),
  3: list('claims', message({ 1: f('name', 'string'), 2: f('request', 'string') })),
});
