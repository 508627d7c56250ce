/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`).
 */
import { f, list, message } from './fields.js';
import { OBJECT_META } from './meta.js';

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

export const SELF_SUBJECT_ACCESS_REVIEW = message({
  1: f('metadata', OBJECT_META),
  2: f('spec', message({ 1: f('resourceAttributes', RESOURCE_ATTRIBUTES), 2: f('nonResourceAttributes', message({ 1: f('path', 'string'), 2: f('verb', 'string') })) })),
  3: f('status', message({ 1: f('allowed', 'bool'), 2: f('reason', 'string'), 3: f('evaluationError', 'string'), 4: f('denied', 'bool') })),
});
