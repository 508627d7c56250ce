/**
 * The Job a CronJob starts for a scheduled time, as upstream's getJobFromTemplate2 builds it: named
 * `<cronjob>-<scheduled time in minutes since the epoch>` (so a time never runs twice), with the
 * template's labels and annotations plus batch.kubernetes.io/cronjob-scheduled-timestamp (RFC 3339
 * in the CronJob's time zone, UTC when it names none), the template's spec, and the CronJob as
 * controlling owner. Pure.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { newControllerRef } from '../../api/owner-references.js';
import { rfc3339In } from './zoned-time.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export function jobName(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

export function jobForSchedule(cj: CronJob, scheduled: number): Job {
  const template = cj.spec?.jobTemplate ?? {};
  return {
    metadata: {
      name: jobName(cj.metadata!.name!, scheduled),
      namespace: cj.metadata!.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(scheduled, cj.spec?.timeZone || 'UTC') },
      ownerReferences: [newControllerRef({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: cj.metadata })],
    },
    spec: structuredClone(template.spec),
  };
}
