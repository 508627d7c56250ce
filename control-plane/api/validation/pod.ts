/**
 * Pods, as upstream's ValidatePodCreate / ValidatePodUpdate: on update only container images,
 * activeDeadlineSeconds (set, or lowered), added tolerations (or changed tolerationSeconds) and
 * removed scheduling gates may change. Status and binding are subresources and are not checked here.
 */
import type { FieldError } from '../status.js';
import { Path, forbidden, invalid, required } from './field.js';
import { inclusiveRangeError } from './formats.js';
import { deepEqual, isSet, list, record, text } from './json.js';
import { describeChanges } from './diff.js';
import { type MetaRules, subdomainName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodSpec } from './pod-spec.js';

const RULES: MetaRules = { namespaced: true, name: subdomainName };
const SPEC = Path.root('spec');
const MAX_INT32 = 2147483647;

const UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
].join(',');

function validateMetadataAndSpec(pod: Record<string, any>): FieldError[] {
  const spec = record(pod.spec);
  const errs = [...validateObjectMeta(pod.metadata, RULES), ...validatePodSpec(spec, SPEC, { isPod: true })];
  if (!text(spec.serviceAccountName)) {
    list(spec.volumes).forEach((v, vi) => {
      list(record(record(v).projected).sources).forEach((s, si) => {
        if (isSet(record(s).serviceAccountToken)) {
          errs.push(forbidden(SPEC.child('volumes').index(vi).child('projected', 'sources').index(si).child('serviceAccountToken'), 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  return errs;
}

function validatePodCreate(pod: Record<string, any>): FieldError[] {
  const spec = record(pod.spec);
  const errs = validateMetadataAndSpec(pod);
  if (list(spec.ephemeralContainers).length > 0) errs.push(forbidden(SPEC.child('ephemeralContainers'), 'cannot be set on create'));
  if (text(spec.nodeName) && list(spec.schedulingGates).length > 0) {
    errs.push(forbidden(SPEC.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

/** Tolerations may only be added; an existing one may change its tolerationSeconds only. */
function onlyAddedTolerations(newT: any[], oldT: any[]): FieldError[] {
  const strip = (t: any): any => ({ ...record(t), tolerationSeconds: undefined });
  const kept = oldT.every((o) => newT.some((n) => deepEqual(strip(o), strip(n))));
  return kept ? [] : [forbidden(SPEC.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds')];
}

function validatePodUpdate(pod: Record<string, any>, old: Record<string, any>): FieldError[] {
  const spec = record(pod.spec);
  const oldSpec = record(old.spec);
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validateMetadataAndSpec(pod)];
  for (const field of ['containers', 'initContainers'] as const) {
    const now = list(spec[field]);
    if (now.length !== list(oldSpec[field]).length) {
      errs.push(forbidden(SPEC.child(field), 'pod updates may not add or remove containers'));
      return errs;
    }
    now.forEach((c, i) => {
      if (!text(record(c).image)) errs.push(required(SPEC.child(field).index(i).child('image')));
    });
  }
  const deadline = spec.activeDeadlineSeconds;
  if (isSet(deadline)) {
    if (typeof deadline !== 'number' || deadline < 0 || deadline > MAX_INT32) {
      errs.push(invalid(SPEC.child('activeDeadlineSeconds'), deadline, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (typeof oldSpec.activeDeadlineSeconds === 'number' && oldSpec.activeDeadlineSeconds < deadline) {
      errs.push(invalid(SPEC.child('activeDeadlineSeconds'), deadline, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (isSet(oldSpec.activeDeadlineSeconds)) {
    errs.push(invalid(SPEC.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(list(spec.tolerations), list(oldSpec.tolerations)));
  const oldGates = new Set(list(oldSpec.schedulingGates).map((g) => text(record(g).name)));
  list(spec.schedulingGates).forEach((g, i) => {
    const name = text(record(g).name);
    if (!oldGates.has(name)) errs.push(forbidden(SPEC.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${name}'`));
  });
  if (deepEqual(spec, oldSpec)) return errs;
  // Take the updatable fields from the old spec; whatever still differs may not change.
  const withOldImages = (field: 'containers' | 'initContainers'): any[] =>
    list(spec[field]).map((c, i) => ({ ...record(c), image: record(list(oldSpec[field])[i]).image }));
  const munged: Record<string, any> = {
    ...spec,
    containers: withOldImages('containers'),
    initContainers: withOldImages('initContainers'),
    activeDeadlineSeconds: oldSpec.activeDeadlineSeconds,
    schedulingGates: oldSpec.schedulingGates,
    tolerations: oldSpec.tolerations,
  };
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(forbidden(SPEC, `pod updates may not change fields other than ${UPDATABLE_FIELDS}\n${describeChanges(oldSpec, munged, 'spec')}`));
  }
  return errs;
}

/** A Pod on create, or an update of `old` to `pod`. Expects a defaulted pod. */
export function validatePod(pod: any, old?: any): FieldError[] {
  return old === undefined ? validatePodCreate(record(pod)) : validatePodUpdate(record(pod), record(old));
}
