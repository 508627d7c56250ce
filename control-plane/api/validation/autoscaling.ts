/**
 * autoscaling/v2 HorizontalPodAutoscalers (the storage shape) as upstream validates them:
 * scaleTargetRef kind and name, minReplicas >= 1, maxReplicas >= minReplicas, each metric of a
 * known type with exactly its own source and a sensible target, and scaling behavior rules.
 * Expects a defaulted HPA (minReplicas and metrics set).
 */
import type { FieldError } from '../status.js';
import { Path, Shown, forbidden, invalid, invalidEach, notSupported, required } from './field.js';
import { pathSegmentName } from './formats.js';
import { isSet, list, record, text } from './json.js';
import { type MetaRules, subdomainName, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { quantityValue, shownQuantity } from './resources.js';

const RULES: MetaRules = { namespaced: true, name: subdomainName };
const SPEC = Path.root('spec');
const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELDS: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

/** A CrossVersionObjectReference: kind and name required and valid path segments. */
function validateObjectReference(raw: unknown, path: Path): FieldError[] {
  const ref = record(raw);
  const errs: FieldError[] = [];
  for (const field of ['kind', 'name'] as const) {
    const v = text(ref[field]);
    if (!v) errs.push(required(path.child(field)));
    else errs.push(...invalidEach(path.child(field), v, pathSegmentName(v)));
  }
  return errs;
}

/** A positive quantity target (value / averageValue). */
function positiveTarget(value: unknown, path: Path): FieldError[] {
  if (!isSet(value)) return [];
  const errs: FieldError[] = [];
  const v = quantityValue(value, path, errs);
  if (v !== undefined && v <= 0) errs.push(invalid(path, new Shown(shownQuantity(value)), 'must be positive'));
  return errs;
}

function validateTarget(raw: unknown, path: Path): FieldError[] {
  const t = record(raw);
  const errs: FieldError[] = [];
  if (!text(t.type)) errs.push(required(path.child('type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) errs.push(invalid(path.child('type'), t.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  errs.push(...positiveTarget(t.value, path.child('value')), ...positiveTarget(t.averageValue, path.child('averageValue')));
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1) {
    errs.push(invalid(path.child('averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetricIdentifier(raw: unknown, path: Path): FieldError[] {
  const id = record(raw);
  const errs: FieldError[] = [];
  if (!text(id.name)) errs.push(required(path.child('name'), 'must specify a metric name'));
  else errs.push(...invalidEach(path.child('name'), id.name, pathSegmentName(id.name)));
  return errs.concat(validateLabelSelector(id.selector, path.child('selector')));
}

function validateSource(kind: string, raw: unknown, path: Path): FieldError[] {
  const src = record(raw);
  const target = record(src.target);
  const targetPath = path.child('target');
  switch (kind) {
    case 'Resource':
    case 'ContainerResource': {
      const errs: FieldError[] = [];
      if (!text(src.name)) errs.push(required(path.child('name'), 'must specify a resource name'));
      if (kind === 'ContainerResource' && !text(src.container)) errs.push(required(path.child('container'), 'must specify a container'));
      errs.push(...validateTarget(src.target, targetPath));
      if (!isSet(target.averageUtilization) && !isSet(target.averageValue)) {
        errs.push(required(targetPath.child('averageUtilization'), 'must set either a target raw value or a target utilization'));
      }
      if (isSet(target.averageUtilization) && isSet(target.averageValue)) {
        errs.push(forbidden(targetPath.child('averageValue'), 'may not set both a target raw value and a target utilization'));
      }
      return errs;
    }
    case 'Pods': {
      const errs = [...validateMetricIdentifier(src.metric, path.child('metric')), ...validateTarget(src.target, targetPath)];
      if (!isSet(target.averageValue)) errs.push(required(targetPath.child('averageValue'), 'must specify a positive target averageValue'));
      return errs;
    }
    case 'Object': {
      const errs = [
        ...validateObjectReference(src.describedObject, path.child('describedObject')),
        ...validateMetricIdentifier(src.metric, path.child('metric')),
        ...validateTarget(src.target, targetPath),
      ];
      if (!isSet(target.value) && !isSet(target.averageValue)) errs.push(required(targetPath.child('averageValue'), 'must set either a target value or averageValue'));
      return errs;
    }
    default: {
      const errs = [...validateMetricIdentifier(src.metric, path.child('metric')), ...validateTarget(src.target, targetPath)];
      if (!isSet(target.value) && !isSet(target.averageValue)) errs.push(required(targetPath.child('averageValue'), 'must set either a target value for metric or a per-pod target'));
      if (isSet(target.value) && isSet(target.averageValue)) errs.push(forbidden(targetPath.child('value'), 'may not set both a target value for metric and a per-pod target'));
      return errs;
    }
  }
}

function validateMetric(raw: unknown, path: Path): FieldError[] {
  const metric = record(raw);
  const errs: FieldError[] = [];
  const type = text(metric.type);
  if (!type) errs.push(required(path.child('type'), 'must specify a metric source type'));
  if (!METRIC_TYPES.includes(type)) errs.push(notSupported(path.child('type'), type, METRIC_TYPES));
  const present = Object.entries(SOURCE_FIELDS).filter(([, field]) => isSet(metric[field]));
  if (present.length === 1) errs.push(...validateSource(present[0]![0], metric[present[0]![1]], path.child(present[0]![1])));
  const expected = SOURCE_FIELDS[type];
  if (expected === undefined) errs.push(notSupported(path.child('type'), type, METRIC_TYPES));
  else if (!isSet(metric[expected])) errs.push(required(path.child(expected), 'must populate information for the given metric source'));
  if (present.length !== 1) {
    for (const [, field] of present) {
      if (field !== expected) errs.push(forbidden(path.child(field), 'must populate the given metric source only'));
    }
  }
  return errs;
}

function validateScalingRules(raw: unknown, path: Path): FieldError[] {
  if (!isSet(raw)) return [];
  const rules = record(raw);
  const errs: FieldError[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (typeof window === 'number' && window < 0) errs.push(invalid(path.child('stabilizationWindowSeconds'), window, 'must be greater than or equal to zero'));
  if (typeof window === 'number' && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    errs.push(invalid(path.child('stabilizationWindowSeconds'), window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (isSet(rules.selectPolicy) && !['Disabled', 'Max', 'Min'].includes(rules.selectPolicy)) {
    errs.push(notSupported(path.child('selectPolicy'), rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policies = list(rules.policies);
  if (policies.length === 0) errs.push(required(path.child('policies'), 'must specify at least one Policy'));
  policies.forEach((raw2, i) => {
    const p = record(raw2);
    const pp = path.child('policies').index(i);
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(pp.child('type'), p.type ?? '', ['Percent', 'Pods']));
    if (typeof p.value !== 'number' || p.value <= 0) errs.push(invalid(pp.child('value'), p.value ?? 0, 'must be greater than zero'));
    if (typeof p.periodSeconds !== 'number' || p.periodSeconds <= 0) errs.push(invalid(pp.child('periodSeconds'), p.periodSeconds ?? 0, 'must be greater than zero'));
    if (typeof p.periodSeconds === 'number' && p.periodSeconds > MAX_PERIOD_SECONDS) {
      errs.push(invalid(pp.child('periodSeconds'), p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
    }
  });
  return errs;
}

function validateSpec(spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  if (typeof min === 'number' && min < 1) errs.push(invalid(SPEC.child('minReplicas'), min, 'must be greater than or equal to 1'));
  if (typeof spec.maxReplicas !== 'number' || spec.maxReplicas < 1) errs.push(invalid(SPEC.child('maxReplicas'), spec.maxReplicas ?? 0, 'must be greater than 0'));
  if (typeof min === 'number' && typeof spec.maxReplicas === 'number' && spec.maxReplicas < min) {
    errs.push(invalid(SPEC.child('maxReplicas'), spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  errs.push(...validateObjectReference(spec.scaleTargetRef, SPEC.child('scaleTargetRef')));
  list(spec.metrics).forEach((m, i) => errs.push(...validateMetric(m, SPEC.child('metrics').index(i))));
  if (isSet(spec.behavior)) {
    const b = record(spec.behavior);
    errs.push(...validateScalingRules(b.scaleUp, SPEC.child('behavior', 'scaleUp')), ...validateScalingRules(b.scaleDown, SPEC.child('behavior', 'scaleDown')));
  }
  return errs;
}

export function validateHorizontalPodAutoscaler(obj: any, old?: any): FieldError[] {
  const meta = old === undefined ? validateObjectMeta(obj?.metadata, RULES) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  return meta.concat(validateSpec(record(obj?.spec)));
}
