/**
 * batch/v1 defaults as upstream's SetDefaults_Job and SetDefaults_CronJob set them; a CronJob's
 * job template gets PodSpec defaults only (Job defaults apply when the Job is created).
 */
import { child, eachObject, existing, isObject, setDefault } from './fields.js';
import { defaultPodTemplate } from './pod.js';

export function defaultJob(obj: any): void {
  if (!isObject(obj)) return;
  const spec = child(obj, 'spec');
  if (!spec) return;
  if ((spec.completions ?? null) === null && (spec.parallelism ?? null) === null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', (spec.backoffLimitPerIndex ?? null) !== null ? 2147483647 : 6);
  const templateLabels = existing(existing(spec.template, 'metadata'), 'labels');
  const meta = child(obj, 'metadata');
  if (meta && templateLabels && Object.keys(existing(meta, 'labels') ?? {}).length === 0) meta.labels = { ...templateLabels };
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  const failurePolicy = existing(spec, 'podFailurePolicy');
  eachObject(failurePolicy, 'rules', (rule) => eachObject(rule, 'onPodConditions', (c) => setDefault(c, 'status', 'True')));
  setDefault(spec, 'podReplacementPolicy', failurePolicy ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(spec.template);
}

export function defaultCronJob(obj: any): void {
  if (!isObject(obj)) return;
  const spec = child(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplate(existing(existing(spec, 'jobTemplate'), 'spec')?.template);
}
