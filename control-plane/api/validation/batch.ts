/**
 * batch/v1 Jobs and CronJobs as upstream's batch validation: counts non-negative, restartPolicy
 * OnFailure or Never, selector matching the template, schedule syntax, concurrency policy, and
 * the immutable parts of a Job on update. Expects defaulted objects.
 */
import { isKnownTimeZone } from '../cron.js';
import { selectorFromLabelSelector } from '../labels.js';
import type { FieldError } from '../status.js';
import { Path, Shown, goLabelSelector, goStringMap, invalid, notSupported, required } from './field.js';
import { isSet, record, text, deepEqual } from './json.js';
import { IMMUTABLE_MESSAGE, type MetaRules, nonNegative, subdomainName, validateEnum, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { cronScheduleError } from './cron.js';
import { templateLabels, validatePodTemplateSpec } from './pod-spec.js';

const RULES: MetaRules = { namespaced: true, name: subdomainName };
const SPEC = Path.root('spec');
const MAX_INDEXED_PARALLELISM = 100000;

/** The parts of a JobSpec checked both in Jobs and in CronJob job templates. */
function validateJobSpecCommon(spec: Record<string, any>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    errs.push(...nonNegative(spec[field], path.child(field)));
  }
  if (isSet(spec.completionMode)) {
    if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      errs.push(notSupported(path.child('completionMode'), spec.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (spec.completionMode === 'Indexed') {
      if (!isSet(spec.completions)) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_PARALLELISM) {
        errs.push(invalid(path.child('parallelism'), spec.parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`));
      }
    }
  }
  if (isSet(spec.podReplacementPolicy)) {
    errs.push(...validateEnum(spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed'], path.child('podReplacementPolicy')));
  }
  const template = path.child('template');
  errs.push(...validatePodTemplateSpec(spec.template, template));
  const restartPolicy = record(record(spec.template).spec).restartPolicy;
  const rp = template.child('spec', 'restartPolicy');
  if (restartPolicy === 'Always' || !restartPolicy) {
    errs.push(required(rp, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(notSupported(rp, restartPolicy, ['OnFailure', 'Never']));
  } else if (isSet(spec.podFailurePolicy) && restartPolicy !== 'Never') {
    errs.push(invalid(rp, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/**
 * A Job's spec. The API server generates the selector from the Job's uid unless manualSelector is
 * set; a missing selector is therefore only an error with manualSelector.
 */
function validateJobSpec(spec: Record<string, any>): FieldError[] {
  const errs = validateJobSpecCommon(spec, SPEC);
  if (!isSet(spec.selector)) {
    if (spec.manualSelector === true) errs.push(required(SPEC.child('selector')));
    return errs;
  }
  errs.push(...validateLabelSelector(spec.selector, SPEC.child('selector')));
  try {
    if (!selectorFromLabelSelector(spec.selector).matches(templateLabels(spec.template))) {
      errs.push(invalid(SPEC.child('template', 'metadata', 'labels'), goStringMap(record(record(spec.template).metadata).labels), '`selector` does not match template `labels`'));
    }
  } catch {
    // Malformed selectors are reported by validateLabelSelector.
  }
  return errs;
}

/** Indexed Jobs may scale completions together with parallelism (elastic indexed jobs). */
function completionsMayChange(spec: Record<string, any>, old: Record<string, any>): boolean {
  return spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && old.completions === old.parallelism;
}

function validateJobUpdate(spec: Record<string, any>, old: Record<string, any>, oldStatus: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  if (!completionsMayChange(spec, old)) {
    if (!deepEqual(spec.completions, old.completions)) errs.push(invalid(SPEC.child('completions'), spec.completions ?? null, IMMUTABLE_MESSAGE));
  }
  if (!deepEqual(spec.selector, old.selector)) errs.push(invalid(SPEC.child('selector'), goLabelSelector(spec.selector), IMMUTABLE_MESSAGE));
  // A suspended Job that never started may change its pod template's scheduling directives.
  const mutableTemplate = old.suspend === true && !isSet(oldStatus.startTime);
  if (!mutableTemplate && !deepEqual(spec.template, old.template)) {
    errs.push(invalid(SPEC.child('template'), new Shown(JSON.stringify(spec.template ?? null)), IMMUTABLE_MESSAGE));
  }
  for (const field of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    if (!deepEqual(spec[field], old[field])) errs.push(invalid(SPEC.child(field), spec[field] ?? null, IMMUTABLE_MESSAGE));
  }
  return errs;
}

export function validateJob(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  if (old === undefined) return [...validateObjectMeta(obj?.metadata, RULES), ...validateJobSpec(spec)];
  return [
    ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
    ...validateJobSpec(spec),
    ...validateJobUpdate(spec, record(old?.spec), record(old?.status)),
  ];
}

function validateTimeZone(zone: unknown, path: Path): FieldError[] {
  if (!isSet(zone)) return [];
  const tz = text(zone);
  if (!tz) return [invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) return [invalid(path, tz, `unknown time zone ${tz}`)];
  }
  if (tz.toLowerCase() === 'local') return [invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  return isKnownTimeZone(tz) ? [] : [invalid(path, tz, `unknown time zone ${tz}`)];
}

function validateCronJobSpec(spec: Record<string, any>, old?: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = text(spec.schedule);
  const sp = SPEC.child('schedule');
  if (!schedule) {
    errs.push(required(sp));
  } else {
    const problem = cronScheduleError(schedule);
    if (problem) errs.push(invalid(sp, schedule, problem));
    const allowTZ = old !== undefined && text(old.schedule).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && isSet(spec.timeZone)) errs.push(invalid(sp, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    if (!allowTZ && schedule.includes('TZ')) errs.push(invalid(sp, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, SPEC.child('startingDeadlineSeconds')));
  if (old === undefined || old.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone, SPEC.child('timeZone')));
  errs.push(...validateEnum(spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace'], SPEC.child('concurrencyPolicy')));
  const jt = SPEC.child('jobTemplate', 'spec');
  const jobSpec = record(record(spec.jobTemplate).spec);
  errs.push(...validateJobSpecCommon(jobSpec, jt));
  if (isSet(jobSpec.selector)) errs.push(invalid(jt.child('selector'), goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(notSupported(jt.child('manualSelector'), true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, SPEC.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, SPEC.child('failedJobsHistoryLimit')));
  return errs;
}

/** CronJob names leave room for the 11-character suffix of the Jobs they create. */
const MAX_CRONJOB_NAME = 52;

export function validateCronJob(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  if (old !== undefined) return [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateCronJobSpec(spec, record(old?.spec))];
  const errs = validateObjectMeta(obj?.metadata, RULES);
  const name = text(obj?.metadata?.name);
  if (name.length > MAX_CRONJOB_NAME) errs.push(invalid(Path.root('metadata', 'name'), name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  return errs.concat(validateCronJobSpec(spec));
}
