/** Printers of the batch group: Job (STATUS as kubectl 1.28+ shows it) and CronJob. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC, TEXT } from './docs.js';
import { humanDuration, parseTime, translateTimestampSince } from './duration.js';
import { boolPtr, containerCells, formatLabelSelector } from './format.js';

const CONTAINERS = column('Containers', 'string', TEXT.containers, 1);
const IMAGES = column('Images', 'string', TEXT.images, 1);
const SELECTOR = column('Selector', 'string', DOC['JobSpec.selector'], 1);

/** Whether the first condition of this type is True, as upstream's hasJobCondition. */
function hasCondition(job: any, type: string): boolean {
  const c = (job.status?.conditions ?? []).find((x: any) => x.type === type);
  return c?.status === 'True';
}

function jobStatus(job: any): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp != null) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: any): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: any, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now.getTime()) - start);
}

export const jobTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', DOC['JobStatus.succeeded']),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  row(job, now) {
    return [
      nameOf(job),
      jobStatus(job),
      completions(job),
      duration(job, now),
      ageOf(job, now),
      ...containerCells(job.spec?.template?.spec?.containers),
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'string', DOC['CronJobSpec.schedule']),
    column('Timezone', 'string', DOC['CronJobSpec.timeZone']),
    column('Suspend', 'boolean', DOC['CronJobSpec.suspend']),
    column('Active', 'integer', DOC['CronJobStatus.active']),
    column('Last Schedule', 'string', DOC['CronJobStatus.lastScheduleTime']),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  row(cj, now) {
    const last = cj.status?.lastScheduleTime != null ? translateTimestampSince(cj.status.lastScheduleTime, now) : '<none>';
    const jobSpec = cj.spec?.jobTemplate?.spec;
    return [
      nameOf(cj),
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      boolPtr(cj.spec?.suspend),
      (cj.status?.active ?? []).length,
      last,
      ageOf(cj, now),
      ...containerCells(jobSpec?.template?.spec?.containers),
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};
