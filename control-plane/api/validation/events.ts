/**
 * core/v1 Events (the storage shape of both served Event versions) as upstream's legacy event
 * validation: the involved object's namespace must agree with the event's, and events with an
 * eventTime (series-style, from events.k8s.io clients) need reporting component, instance,
 * action and reason within their length limits.
 */
import { dns1123Subdomain } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, invalid, invalidEach, required } from './field.js';
import { isSet, record, text } from './json.js';
import { pathSegment, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from './meta.js';

const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 };

export function validateEvent(obj: any, old?: any): FieldError[] {
  const event = record(obj);
  const meta = record(event.metadata);
  const errs = old === undefined ? validateObjectMeta(event.metadata, { namespaced: true, name: pathSegment }) : validateObjectMetaUpdate(event.metadata, old?.metadata);
  const namespace = text(meta.namespace);
  const involvedNamespace = text(record(event.involvedObject).namespace);
  const nsPath = Path.root('involvedObject', 'namespace');
  if (!isSet(event.eventTime)) {
    if (!involvedNamespace) {
      if (namespace !== '' && namespace !== 'default') errs.push(invalid(nsPath, involvedNamespace, 'does not match event.namespace'));
    } else if (namespace !== involvedNamespace) {
      errs.push(invalid(nsPath, involvedNamespace, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') errs.push(invalid(nsPath, involvedNamespace, 'does not match event.namespace'));
    const controller = text(event.reportingComponent);
    if (!controller) errs.push(required(Path.root('reportingComponent')));
    errs.push(...validateQualifiedName(controller, Path.root('reportingComponent')));
    for (const field of ['reportingInstance', 'action', 'reason'] as const) {
      if (!text(event[field])) errs.push(required(Path.root(field)));
    }
    for (const field of ['reportingInstance', 'action', 'reason', 'message'] as const) {
      if (text(event[field]).length > LIMITS[field]) errs.push(invalid(Path.root(field), '', `can have at most ${LIMITS[field]} characters`));
    }
  }
  return errs.concat(invalidEach(Path.root('namespace'), namespace, dns1123Subdomain(namespace)));
}
