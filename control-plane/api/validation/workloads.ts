/**
 * apps/v1 workloads as upstream's apps validation (plus the apps/v1 strategies' immutable
 * selector): Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision.
 * Expects defaulted objects (strategies, revisionHistoryLimit, template defaults set).
 */
import { selectorFromLabelSelector } from '../labels.js';
import type { FieldError } from '../status.js';
import { Path, forbidden, goLabelSelector, goStringMap, intOrString, invalid, notSupported, required } from './field.js';
import { percent } from './formats.js';
import { deepEqual, isSet, record } from './json.js';
import {
  IMMUTABLE_MESSAGE,
  type MetaRules,
  labelName,
  nonNegative,
  subdomainName,
  validateLabelSelector,
  validateLabels,
  validateAnnotations,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { templateLabels, validatePodTemplateSpec } from './pod-spec.js';

const SPEC = Path.root('spec');
const TEMPLATE = SPEC.child('template');
const NAMESPACED: MetaRules = { namespaced: true, name: subdomainName };

/** Upstream's ValidatePositiveIntOrPercent: a non-negative integer or a `N%` string. */
export function validateIntOrPercent(v: unknown, path: Path): FieldError[] {
  if (typeof v === 'string') return percent(v).map((m) => invalid(path, intOrString(v), m));
  if (typeof v === 'number') return nonNegative(v, path);
  if (v === undefined || v === null) return [];
  return [invalid(path, intOrString(v), "must be an integer or percentage (e.g '5%')")];
}

/** The number in an int-or-percent (25 for `'25%'`); unset counts as 0. */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && percent(v).length === 0) return Number(v.slice(0, -1));
  return 0;
}

export function notMoreThan100Percent(v: unknown, path: Path): FieldError[] {
  return typeof v === 'string' && percent(v).length === 0 && intOrPercentValue(v) > 100 ? [invalid(path, intOrString(v), 'must not be greater than 100%')] : [];
}

/** spec.selector: required, valid and non-empty (`word` names the kind in the message). */
function validateSelector(spec: Record<string, any>, word: string): FieldError[] {
  const path = SPEC.child('selector');
  if (!isSet(spec.selector)) return [required(path)];
  const errs = validateLabelSelector(spec.selector, path);
  const sel = record(spec.selector);
  if (Object.keys(record(sel.matchLabels)).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0) {
    errs.push(invalid(path, goLabelSelector(spec.selector), `empty selector is invalid for ${word}`));
  }
  return errs;
}

/** Whether the selector matches the template's labels; undefined when the selector itself is malformed. */
function selectorMatchesTemplate(spec: Record<string, any>): { matches: boolean; empty: boolean } | undefined {
  try {
    const selector = selectorFromLabelSelector(spec.selector);
    return { matches: selector.matches(templateLabels(spec.template)), empty: selector.empty() };
  } catch {
    return undefined;
  }
}

function mismatch(spec: Record<string, any>): FieldError {
  return invalid(TEMPLATE.child('metadata', 'labels'), goStringMap(record(record(spec.template).metadata).labels), '`selector` does not match template `labels`');
}

/** The template of a controller that restarts its pods forever (ReplicaSet, Deployment, DaemonSet, StatefulSet). */
function validateAlwaysRestarting(spec: Record<string, any>, kind: string): FieldError[] {
  const podSpec = record(record(spec.template).spec);
  const errs: FieldError[] = [];
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(TEMPLATE.child('spec', 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  if (isSet(podSpec.activeDeadlineSeconds)) errs.push(forbidden(TEMPLATE.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

/** Selector, template (matching the selector, valid) and restart policy of a ReplicaSet or Deployment. */
function validateReplicatedTemplate(spec: Record<string, any>, word: string): FieldError[] {
  const errs = [...nonNegative(spec.replicas, SPEC.child('replicas')), ...validateSelector(spec, word)];
  const match = selectorMatchesTemplate(spec);
  if (!match) {
    errs.push(invalid(SPEC.child('selector'), goLabelSelector(spec.selector), 'invalid label selector'));
    return errs;
  }
  if (!match.empty && !match.matches) errs.push(mismatch(spec));
  errs.push(...validatePodTemplateSpec(spec.template, TEMPLATE));
  return errs.concat(validateAlwaysRestarting(spec, 'ReplicaSet'));
}

function validateDeploymentStrategy(strategy: Record<string, any>, path: Path): FieldError[] {
  switch (strategy.type) {
    case 'Recreate':
      return isSet(strategy.rollingUpdate) ? [forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (!isSet(strategy.rollingUpdate)) return [required(path.child('rollingUpdate'), 'this should be defaulted and never be nil')];
      const ru = record(strategy.rollingUpdate);
      const p = path.child('rollingUpdate');
      const errs = [...validateIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')), ...validateIntOrPercent(ru.maxSurge, p.child('maxSurge'))];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(p.child('maxUnavailable'), intOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      return errs.concat(notMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
    }
    default:
      return [notSupported(path, strategy.type ?? '', ['Recreate', 'RollingUpdate'])];
  }
}

function validateDeploymentSpec(spec: Record<string, any>): FieldError[] {
  const errs = validateReplicatedTemplate(spec, 'deployment');
  errs.push(...validateDeploymentStrategy(record(spec.strategy), SPEC.child('strategy')));
  errs.push(...nonNegative(spec.minReadySeconds, SPEC.child('minReadySeconds')));
  errs.push(...nonNegative(spec.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
  if (isSet(spec.progressDeadlineSeconds)) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, SPEC.child('progressDeadlineSeconds')));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid(SPEC.child('progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** apps/v1 selectors cannot change after creation. */
function immutableSelector(spec: Record<string, any>, oldSpec: Record<string, any>): FieldError[] {
  return deepEqual(spec.selector, oldSpec.selector) ? [] : [invalid(SPEC.child('selector'), goLabelSelector(spec.selector), IMMUTABLE_MESSAGE)];
}

/** Create or update validation of a kind whose spec is checked by `validateSpec`. */
function workload(rules: MetaRules, validateSpec: (spec: Record<string, any>, oldSpec?: Record<string, any>) => FieldError[]) {
  return (obj: any, old?: any): FieldError[] => {
    const spec = record(obj?.spec);
    if (old === undefined) return [...validateObjectMeta(obj?.metadata, rules), ...validateSpec(spec)];
    return [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateSpec(spec, record(old?.spec))];
  };
}

export const validateDeployment = workload(NAMESPACED, (spec, oldSpec) => [
  ...validateDeploymentSpec(spec),
  ...(oldSpec ? immutableSelector(spec, oldSpec) : []),
]);

export const validateReplicaSet = workload(NAMESPACED, (spec, oldSpec) => [
  ...validateReplicatedTemplate(spec, 'deployment'),
  ...nonNegative(spec.minReadySeconds, SPEC.child('minReadySeconds')),
  ...(oldSpec ? immutableSelector(spec, oldSpec) : []),
]);

function validateDaemonSetStrategy(strategy: Record<string, any>, path: Path): FieldError[] {
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      if (!isSet(strategy.rollingUpdate)) return [required(path.child('rollingUpdate'))];
      const ru = record(strategy.rollingUpdate);
      const p = path.child('rollingUpdate');
      const errs = [
        ...validateIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...validateIntOrPercent(ru.maxSurge, p.child('maxSurge')),
        ...notMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...notMoreThan100Percent(ru.maxSurge, p.child('maxSurge')),
      ];
      const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const surge = intOrPercentValue(ru.maxSurge) !== 0;
      if (unavailable && surge) errs.push(invalid(p.child('maxSurge'), intOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      if (!unavailable && !surge) errs.push(required(p.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(path, strategy.type ?? '', ['RollingUpdate', 'OnDelete'])];
  }
}

export const validateDaemonSet = workload(NAMESPACED, (spec, oldSpec) => {
  const errs = validateLabelSelector(spec.selector, SPEC.child('selector'));
  const match = selectorMatchesTemplate(spec);
  if (match && !match.matches) errs.push(mismatch(spec));
  const sel = record(spec.selector);
  if (isSet(spec.selector) && Object.keys(record(sel.matchLabels)).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0) {
    errs.push(invalid(SPEC.child('selector'), goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, TEMPLATE));
  errs.push(...validateAlwaysRestarting(spec, 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, SPEC.child('minReadySeconds')));
  errs.push(...validateDaemonSetStrategy(record(spec.updateStrategy), SPEC.child('updateStrategy')));
  errs.push(...nonNegative(spec.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
  if (oldSpec) errs.push(...immutableSelector(spec, oldSpec));
  return errs;
});

function validateStatefulSetSpec(spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(required(SPEC.child('podManagementPolicy')));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(invalid(SPEC.child('podManagementPolicy'), policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = record(spec.updateStrategy);
  const sp = SPEC.child('updateStrategy');
  switch (strategy.type) {
    case undefined:
    case '':
      errs.push(required(sp));
      break;
    case 'OnDelete':
      if (isSet(strategy.rollingUpdate)) errs.push(invalid(sp.child('rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isSet(strategy.rollingUpdate)) {
        const ru = record(strategy.rollingUpdate);
        const rp = sp.child('rollingUpdate');
        errs.push(...nonNegative(ru.partition, rp.child('partition')));
        if (isSet(ru.maxUnavailable)) {
          errs.push(...validateIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')));
          if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(rp.child('maxUnavailable'), intOrString(ru.maxUnavailable), 'cannot be 0'));
          errs.push(...notMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
        }
      }
      break;
    default:
      errs.push(invalid(sp, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (isSet(retention)) {
    for (const field of ['whenDeleted', 'whenScaled'] as const) {
      const v = record(retention)[field];
      if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(SPEC.child('persistentVolumeClaimRetentionPolicy', field), v ?? '', ['Retain', 'Delete']));
    }
  }
  errs.push(...nonNegative(spec.replicas, SPEC.child('replicas')));
  errs.push(...nonNegative(spec.minReadySeconds, SPEC.child('minReadySeconds')));
  if (isSet(spec.ordinals)) errs.push(...nonNegative(record(spec.ordinals).start, SPEC.child('ordinals.start')));
  errs.push(...validateSelector(spec, 'statefulset'));
  const match = selectorMatchesTemplate(spec);
  if (!match) {
    errs.push(invalid(SPEC.child('selector'), goLabelSelector(spec.selector), ''));
  } else {
    // Upstream checks only the template's labels and annotations here: its volumes may come from
    // volumeClaimTemplates, which a plain pod-spec check would report as missing.
    if (!match.empty && !match.matches) errs.push(mismatch(spec));
    const meta = record(record(spec.template).metadata);
    errs.push(...validateLabels(meta.labels, TEMPLATE.child('labels')), ...validateAnnotations(meta.annotations, TEMPLATE.child('annotations')));
  }
  return errs.concat(validateAlwaysRestarting(spec, 'StatefulSet'));
}

const STATEFULSET_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy', 'revisionHistoryLimit'];

export const validateStatefulSet = workload({ namespaced: true, name: labelName }, (spec, oldSpec) => {
  const errs = validateStatefulSetSpec(spec);
  if (oldSpec) {
    const strip = (s: Record<string, any>) => Object.fromEntries(Object.entries(s).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
    if (!deepEqual(strip(spec), strip(oldSpec))) {
      errs.push(
        forbidden(
          SPEC,
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return errs;
});

export function validateControllerRevision(obj: any, old?: any): FieldError[] {
  const errs = old === undefined ? validateObjectMeta(obj?.metadata, NAMESPACED) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  if (!isSet(obj?.data)) errs.push(required(Path.root('data'), 'data is mandatory'));
  errs.push(...nonNegative(obj?.revision, Path.root('revision')));
  if (old !== undefined && !deepEqual(obj?.data, old?.data)) errs.push(invalid(Path.root('data'), obj?.data ?? null, IMMUTABLE_MESSAGE));
  return errs;
}
