/**
 * batch/v1 Job (`kubectl create job`, also `--from=cronjob/X`, which copies the CronJob's whole
 * jobTemplate) and CronJob (`kubectl create cronjob`).
 */
import { OBJECT_REFERENCE } from './core-refs.js';
import { POD_TEMPLATE_SPEC } from './core-pod.js';
import { f, list, message, pointer } from './fields.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta.js';

const POD_FAILURE_POLICY = message({
  1: list(
    'rules',
    message({
      1: f('action', 'string'),
      2: f('onExitCodes', message({ 1: pointer('containerName', 'string'), 2: f('operator', 'string'), 3: list('values', 'int32') })),
      3: list('onPodConditions', message({ 1: f('type', 'string'), 2: f('status', 'string') })),
    }),
  ),
});

const JOB_SPEC = message({
  1: pointer('parallelism', 'int32'),
  2: pointer('completions', 'int32'),
  3: pointer('activeDeadlineSeconds', 'int64'),
  11: f('podFailurePolicy', POD_FAILURE_POLICY),
  16: f('successPolicy', message({ 1: list('rules', message({ 1: pointer('succeededIndexes', 'string'), 2: pointer('succeededCount', 'int32') })) })),
  7: pointer('backoffLimit', 'int32'),
  12: pointer('backoffLimitPerIndex', 'int32'),
  13: pointer('maxFailedIndexes', 'int32'),
  4: f('selector', LABEL_SELECTOR),
  5: pointer('manualSelector', 'bool'),
  6: f('template', POD_TEMPLATE_SPEC),
  8: pointer('ttlSecondsAfterFinished', 'int32'),
  9: pointer('completionMode', 'string'),
  10: pointer('suspend', 'bool'),
  14: pointer('podReplacementPolicy', 'string'),
  15: pointer('managedBy', 'string'),
});

const JOB_STATUS = message({
  1: list(
    'conditions',
    message({
      1: f('type', 'string'),
      2: f('status', 'string'),
      3: f('lastProbeTime', 'time'),
      4: f('lastTransitionTime', 'time'),
      5: f('reason', 'string'),
      6: f('message', 'string'),
    }),
  ),
  2: f('startTime', 'time'),
  3: f('completionTime', 'time'),
  4: f('active', 'int32'),
  5: f('succeeded', 'int32'),
  6: f('failed', 'int32'),
  11: pointer('terminating', 'int32'),
  7: f('completedIndexes', 'string'),
  10: pointer('failedIndexes', 'string'),
  8: f('uncountedTerminatedPods', message({ 1: list('succeeded', 'string'), 2: list('failed', 'string') })),
  9: pointer('ready', 'int32'),
});

export const JOB = message({ 1: f('metadata', OBJECT_META), 2: f('spec', JOB_SPEC), 3: f('status', JOB_STATUS) });

const CRON_JOB_SPEC = message({
  1: f('schedule', 'string'),
  8: pointer('timeZone', 'string'),
  2: pointer('startingDeadlineSeconds', 'int64'),
  3: f('concurrencyPolicy', 'string'),
  4: pointer('suspend', 'bool'),
  5: f('jobTemplate', message({ 1: f('metadata', OBJECT_META), 2: f('spec', JOB_SPEC) })),
  6: pointer('successfulJobsHistoryLimit', 'int32'),
  7: pointer('failedJobsHistoryLimit', 'int32'),
});

export const CRON_JOB = message({
  1: f('metadata', OBJECT_META),
  2: f('spec', CRON_JOB_SPEC),
  3: f('status', message({ 1: list('active', OBJECT_REFERENCE), 4: f('lastScheduleTime', 'time'), 5: f('lastSuccessfulTime', 'time') })),
});
