/**
 * CronJob controller, as upstream's (v2): for each CronJob, keeps status.active and
 * lastSuccessfulTime in step with its Jobs, starts the Job of the most recent due scheduled time
 * (job-template.ts names it after that time, so a time never runs twice), applies
 * concurrencyPolicy and startingDeadlineSeconds, deletes finished Jobs beyond the history limits,
 * and looks again just after the next scheduled time. The clock is injectable; with a fake clock,
 * `maxWaitMs` bounds how long the controller sleeps between looks.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { isKnownTimeZone } from '../../api/cron.js';
import { controllerRefOf } from '../../api/owner-references.js';
import { storageResource } from '../../api/registry.js';
import { isAlreadyExists, isConflict, isNotFound, type ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { byOwnerUid, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { jobForSchedule } from './job-template.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { decideRun, jobRef, jobsBeyondHistory, rfc1123z, updateActive, type CronEvent } from './sync.js';
import { nextScheduleDelay } from './times.js';
import { localTimeZone } from './zoned-time.js';

const cronJobsDef = storageResource('batch/cronjobs');
const jobsDef = storageResource('batch/jobs');
const OWNER_INDEX = 'ownerUid';
/** Longer waits are cut to this: timers cannot wait beyond ~24.8 days, and a day costs nothing. */
const MAX_WAIT_MS = 86_400_000;
/** Look again this soon when the cache is behind the API. */
const STALE_RETRY_MS = 100;

type CronJobObj = CronJob & { metadata: ObjectMeta };
type JobObj = Job & { metadata: ObjectMeta };

export interface CronJobControllerOptions {
  /** The clock (default: the system clock). */
  now?: () => Date;
  /** Look at every CronJob at least this often (default: only when due); for fake clocks. */
  maxWaitMs?: number;
  /** The zone of CronJobs without spec.timeZone (default: this process's zone, as upstream). */
  defaultTimeZone?: string;
}

interface CronSync {
  client: ApiClient;
  cronJobs: Informer<CronJobObj>;
  jobs: Informer<JobObj>;
  recorder: EventRecorder;
  now: () => Date;
  defaultTimeZone: string;
}

const asCronJob = (cj: CronJob) => ({ ...cj, apiVersion: 'batch/v1' as const, kind: 'CronJob' as const, metadata: cj.metadata ?? {} });

function controllerUid(job: Job): string | undefined {
  return controllerRefOf(job)?.uid;
}

function emit(s: CronSync, cj: CronJob, ev: CronEvent): void {
  s.recorder.event(asCronJob(cj), ev.type, ev.reason, ev.message);
}

/** Deletes a Job (pods in the background) and drops it from status.active; false when the delete failed. */
async function deleteJob(s: CronSync, cj: CronJob, ref: ObjectReference): Promise<boolean> {
  try {
    await s.client.delete(jobsDef, ref.namespace, ref.name!, { propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) {
      emit(s, cj, { type: 'Warning', reason: 'FailedDelete', message: `Deleted job: ${(err as Error).message}` });
      return false;
    }
  }
  cj.status!.active = (cj.status!.active ?? []).filter((r) => r.uid !== ref.uid);
  emit(s, cj, { type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${ref.name}` });
  return true;
}

/** Reconciles status.active against the Jobs; returns whether status changed. Edits `cj` in place. */
async function reconcileActive(s: CronSync, cj: CronJob, jobs: Job[]): Promise<{ cj: CronJob; changed: boolean }> {
  let update = updateActive(cj, jobs);
  if (update.unexpected.length > 0) {
    // The cache may lag behind our own status write: ask the API before calling a Job unexpected.
    const fresh = await s.client.get<CronJob>(cronJobsDef, cj.metadata!.namespace, cj.metadata!.name!);
    if (fresh.metadata?.uid === cj.metadata?.uid) {
      cj = fresh;
      update = updateActive(cj, jobs);
    }
    for (const job of update.unexpected) {
      emit(s, cj, { type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${job.metadata!.name}` });
    }
  }
  for (const ev of update.events) emit(s, cj, ev);
  let changed = update.changed;
  for (const ref of update.unknown) {
    try {
      await s.client.get(jobsDef, ref.namespace, ref.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      emit(s, cj, { type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
      cj.status!.active = (cj.status!.active ?? []).filter((r) => r.uid !== ref.uid);
      changed = true;
    }
  }
  return { cj, changed };
}

/** Starts the Job for `time`; returns its reference for status.active, or undefined when another actor owns that name. */
async function startJob(s: CronSync, cj: CronJob, time: number): Promise<ObjectReference | undefined> {
  const wanted = jobForSchedule(cj, time);
  try {
    const created = await s.client.create<Job>(jobsDef, cj.metadata!.namespace, wanted);
    emit(s, cj, { type: 'Normal', reason: 'SuccessfulCreate', message: `Created job ${created.metadata!.name}` });
    return jobRef(created);
  } catch (err) {
    if (!isAlreadyExists(err)) {
      emit(s, cj, { type: 'Warning', reason: 'FailedCreate', message: `Error creating job: ${(err as Error).message}` });
      throw err;
    }
    // Created before, but the status update was lost: list it as active again if it is ours.
    const existing = await s.client.get<Job>(jobsDef, cj.metadata!.namespace, wanted.metadata!.name!);
    if (controllerUid(existing) !== cj.metadata!.uid) return undefined;
    if ((cj.status?.active ?? []).some((r) => r.uid === existing.metadata!.uid)) return undefined;
    return jobRef(existing);
  }
}

/** The schedule of a CronJob, or undefined after reporting why it cannot be used. */
function scheduleOf(s: CronSync, cj: CronJob): Schedule | undefined {
  const spec = cj.spec?.schedule ?? '';
  if (spec.includes('TZ')) {
    emit(s, cj, {
      type: 'Warning',
      reason: 'UnsupportedSchedule',
      message: `CRON_TZ or TZ used in schedule ${JSON.stringify(spec)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
    });
  }
  try {
    return parseSchedule(spec, cj.spec?.timeZone || s.defaultTimeZone);
  } catch (err) {
    emit(s, cj, { type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(spec)} : ${(err as Error).message}` });
    return undefined;
  }
}

/** One sync of one CronJob; returns when to look again. */
async function syncCronJob(s: CronSync, key: string): Promise<number | undefined> {
  const cached = s.cronJobs.get(key);
  if (!cached) return undefined;
  const jobs = s.jobs.byIndex(OWNER_INDEX, cached.metadata.uid!).filter((j) => controllerUid(j) === cached.metadata.uid);
  const now = s.now().getTime();
  const reconciled = await reconcileActive(s, structuredClone(cached), jobs);
  const cj = reconciled.cj;
  cj.status ??= {};
  let changed = reconciled.changed;
  let requeue: number | undefined;

  const zone = cj.spec?.timeZone;
  if (cj.metadata?.deletionTimestamp) {
    // Being deleted: only the status is kept current.
  } else if (zone && !isKnownTimeZone(zone)) {
    emit(s, cj, { type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}` });
  } else if (cj.spec?.suspend !== true) {
    const schedule = scheduleOf(s, cj);
    if (schedule) {
      const decision = decideRun(cj, now, schedule);
      if (decision.kind === 'invalid') {
        emit(s, cj, { type: 'Warning', reason: 'InvalidSchedule', message: `invalid schedule: ${cj.spec?.schedule} : ${decision.message}` });
      } else {
        if (decision.missed === 'many') {
          emit(s, cj, { type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
        }
        if (decision.kind === 'tooLate') {
          emit(s, cj, { type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc1123z(decision.time)}` });
        } else if (decision.kind === 'forbidden') {
          emit(s, cj, { type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
        } else if (decision.kind === 'run') {
          // Start Jobs only from a current view: a cache behind our own last status write would run a time twice.
          const fresh = await s.client.get<CronJob>(cronJobsDef, cj.metadata!.namespace, cj.metadata!.name!);
          if (fresh.metadata?.resourceVersion !== cj.metadata?.resourceVersion) return STALE_RETRY_MS;
          for (const ref of decision.replace) {
            if (!(await deleteJob(s, cj, ref))) throw new Error(`could not replace job ${ref.namespace}/${ref.name}`);
            changed = true;
          }
          const ref = await startJob(s, cj, decision.time);
          if (ref) {
            cj.status.active = [...(cj.status.active ?? []), ref];
            cj.status.lastScheduleTime = new Date(decision.time).toISOString().replace(/\.\d{3}Z$/, 'Z');
            changed = true;
          }
        }
        requeue = nextScheduleDelay(cj, now, schedule);
      }
    }
  }
  if (!cj.metadata?.deletionTimestamp) {
    for (const job of jobsBeyondHistory(cj, jobs)) if (await deleteJob(s, cj, jobRef(job))) changed = true;
  }
  if (changed) await s.client.update(cronJobsDef, cj.metadata!.namespace, cj.metadata!.name!, asCronJob(cj), 'status');
  return requeue;
}

export function startCronJobController(ctx: ControllerContext, opts: CronJobControllerOptions = {}): ControllerHandle {
  const cronJobs = ctx.informers.of<CronJobObj>('batch/cronjobs');
  const jobs = ctx.informers.of<JobObj>('batch/jobs');
  jobs.addIndex(OWNER_INDEX, byOwnerUid);
  const s: CronSync = {
    client: ctx.client,
    cronJobs,
    jobs,
    recorder: ctx.recorder('cronjob-controller'),
    now: opts.now ?? (() => new Date()),
    defaultTimeZone: opts.defaultTimeZone ?? localTimeZone(),
  };
  const queue = new WorkQueue();
  const enqueueOwner = (job: Job) => {
    const ref = controllerRefOf(job);
    if (ref?.kind === 'CronJob') queue.add(`${job.metadata!.namespace}/${ref.name}`);
  };
  cronJobs.addHandlers({ onAdd: (cj) => queue.add(keyOf(cj)), onUpdate: (_o, cj) => queue.add(keyOf(cj)) });
  jobs.addHandlers({ onAdd: enqueueOwner, onUpdate: (_o, j) => enqueueOwner(j), onDelete: enqueueOwner });
  return runController(
    'cronjob',
    queue,
    async (key): Promise<ReconcileResult | void> => {
      await Promise.all([cronJobs.waitForSync(), jobs.waitForSync()]);
      let requeue: number | undefined;
      try {
        requeue = await syncCronJob(s, key);
      } catch (err) {
        // A stale cached CronJob: its update event queues it again.
        if (isConflict(err)) return { requeueAfterMs: STALE_RETRY_MS };
        throw err;
      }
      const wait = Math.min(requeue ?? Infinity, opts.maxWaitMs ?? Infinity);
      if (Number.isFinite(wait) && s.cronJobs.get(key)) return { requeueAfterMs: Math.max(0, Math.min(wait, MAX_WAIT_MS)) };
    },
    ctx.logger,
    2,
  );
}
