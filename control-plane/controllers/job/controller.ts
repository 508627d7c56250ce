/**
 * Job controller, as upstream's: runs a Job's pods to completion. Each sync reads the Job and its
 * pods from the informer caches, counts them (assess.ts), creates or deletes pods (manage.ts),
 * records finished pods and removes their tracking finalizers (tracking.ts), and sets the
 * SuccessCriteriaMet/FailureTarget then Complete/Failed conditions. A second queue removes the
 * tracking finalizer from pods whose Job is gone or finished. Finished Jobs with
 * ttlSecondsAfterFinished are deleted by the TTL controller started alongside (ttl.ts).
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { controllerRefOf } from '../../api/owner-references.js';
import { storageResource } from '../../api/registry.js';
import { isConflict } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import { byNamespace, byOwnerUid, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { assessJob, isSuspended, type Assessment } from './assess.js';
import { NO_BACKOFF, remainingBackoffMs, updateBackoff, type BackoffRecord } from './backoff.js';
import { COMPLETIONS_REACHED, ensureCondition, isJobFinished, rfc3339, type TargetCondition } from './conditions.js';
import { Expectations } from './expectations.js';
import { planPods } from './manage.js';
import { asJob, claimPods, createPods, deletePods, NAMESPACE_INDEX, OWNER_INDEX, removeTrackingFinalizer, type PodControl, type PodObj } from './pod-control.js';
import { hasTrackingFinalizer } from './pods.js';
import { countRemoved, enactFinished, trackFinishedPods, uidsWithFinalizer } from './tracking.js';
import { startTtlAfterFinishedController } from './ttl.js';

const jobsDef = storageResource('batch/jobs');
const JOB_CONTROLLER = 'kubernetes.io/job-controller';
/** Jobs as informers and the API return them: metadata always present. */
type JobObj = Job & { metadata: ObjectMeta };
const CONFLICT_RETRY_MS = 100;

export interface JobControllerOptions {
  /** Wait before the first replacement of a failed pod; doubles per failure (upstream: 10 s). */
  podFailureBackoffMs?: number;
  /** The longest such wait (upstream: 6 min). */
  maxPodFailureBackoffMs?: number;
  /** The clock; tests may inject one. */
  now?: () => Date;
  workers?: number;
}

interface JobSync extends PodControl {
  jobs: Informer<JobObj>;
  backoffs: Map<string, BackoffRecord>;
  opts: Required<Omit<JobControllerOptions, 'workers'>>;
}

async function writeStatus(s: JobSync, job: Job): Promise<Job> {
  return s.client.update<Job>(jobsDef, job.metadata!.namespace, job.metadata!.name!, asJob(job), 'status');
}

/** Applies the Suspended/Resumed condition of a managed Job; resuming restarts the active deadline clock. */
function noteSuspension(s: JobSync, job: Job, now: Date): boolean {
  if (isSuspended(job)) {
    const changed = ensureCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
    if (changed) s.recorder.event(asJob(job), 'Normal', 'Suspended', 'Job suspended');
    return changed;
  }
  const changed = ensureCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
  if (changed) {
    s.recorder.event(asJob(job), 'Normal', 'Resumed', 'Job resumed');
    job.status!.startTime = rfc3339(now);
  }
  return changed;
}

function recordFinished(s: JobSync, job: Job, terminal: TargetCondition): void {
  if (terminal.type === 'Complete') {
    const completions = job.spec?.completions;
    if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
      s.recorder.event(asJob(job), 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    s.recorder.event(asJob(job), 'Normal', 'Completed', 'Job completed');
  } else {
    s.recorder.event(asJob(job), 'Warning', terminal.reason, terminal.message);
  }
}

/** What a sync did to the Job's pods, and where the Job is heading. */
interface Course {
  active: number;
  ready: number;
  terminating: number;
  target?: TargetCondition;
  suspensionChanged: boolean;
  requeueAfterMs?: number;
  /** A pod creation or deletion that failed: reported after the status is written. */
  error?: unknown;
}

/**
 * Acts on the assessment: a Job heading for failure or success loses its active pods; otherwise
 * (expectations met, not being deleted) pods are created or deleted as planPods says, and the
 * Job is complete once enough pods succeeded and none is active.
 */
async function steer(s: JobSync, key: string, job: Job, a: Assessment, pods: Pod[], satisfied: boolean, backoff: BackoffRecord, now: Date): Promise<Course> {
  const c: Course = { active: a.active.length, ready: a.ready, terminating: a.terminating, target: a.target, suspensionChanged: false, requeueAfterMs: a.deadlineInMs };
  const removed = async (victims: Pod[]) => {
    const r = await deletePods(s, key, job, victims);
    c.active -= r.deleted;
    c.ready -= r.ready;
    c.terminating += r.deleted;
    return r.deleted;
  };
  if (c.target) {
    try {
      // Not finished until every active pod is deleted and the cache has seen all our writes.
      if ((await removed(a.active)) !== a.active.length || !satisfied) c.target = undefined;
    } catch (err) {
      c.error = err;
      c.target = undefined;
    }
    return c;
  }
  const managed = satisfied && !job.metadata?.deletionTimestamp;
  if (managed) {
    const plan = planPods(job, {
      active: a.active,
      pods,
      succeeded: a.succeeded,
      succeededIndexes: a.succeededIndexes,
      terminating: a.terminating,
      backoffMs: remainingBackoffMs(backoff, now, s.opts.podFailureBackoffMs, s.opts.maxPodFailureBackoffMs),
    });
    try {
      if (plan.remove.length > 0) await removed(plan.remove);
      else if (plan.create > 0) c.active += await createPods(s, key, job, plan.create, plan.indexes);
    } catch (err) {
      c.error = err;
    }
    if (plan.waitMs !== undefined) c.requeueAfterMs = Math.min(c.requeueAfterMs ?? Infinity, plan.waitMs);
  }
  const completions = job.spec?.completions;
  const complete = completions === undefined || completions === null ? a.succeeded > 0 && c.active === 0 : a.succeeded >= completions && c.active === 0;
  if (complete) c.target = COMPLETIONS_REACHED;
  else if (managed) c.suspensionChanged = noteSuspension(s, job, now);
  return c;
}

/**
 * Records finished pods exactly once (tracking.ts): writes their uids to the status, removes their
 * finalizers, moves them to the counters, and sets the terminal condition once all are counted.
 * Returns whether the Job finished and whether more pods are left to record.
 */
async function recordPods(s: JobSync, key: string, job: Job, pods: Pod[], pending: ReadonlySet<string>, a: Assessment, c: Course, needsFlush: boolean, backoff: BackoffRecord, now: Date) {
  const track = trackFinishedPods(job, { pods, target: c.target, pendingRemovals: pending, succeededIndexes: a.succeededIndexes, now });
  if (needsFlush || track.changed) {
    job = await writeStatus(s, job);
    s.backoffs.set(key, backoff);
  }
  const withFinalizer = uidsWithFinalizer(pods, pending);
  let removeError: unknown;
  s.expectations.expectFinalizerRemovals(key, track.removeFinalizer.map((p) => p.metadata!.uid!));
  await Promise.all(
    track.removeFinalizer.map(async (pod) => {
      try {
        await removeTrackingFinalizer(s.client, pod);
        withFinalizer.delete(pod.metadata!.uid!);
      } catch (err) {
        s.expectations.finalizerRemovalObserved(key, pod.metadata!.uid!);
        removeError ??= err;
      }
    }),
  );
  job.status ??= {};
  const counted = countRemoved(job.status, withFinalizer);
  if (removeError) {
    if (counted) await writeStatus(s, job);
    throw removeError;
  }
  const finished = !track.capped && enactFinished(job, track.terminal, c.terminating, now);
  if (finished || counted) {
    job = await writeStatus(s, job);
    if (finished) {
      s.backoffs.delete(key);
      recordFinished(s, job, track.terminal!);
    }
  }
  return { finished, capped: track.capped };
}

/** One sync of one Job (upstream's syncJob). */
async function syncJob(s: JobSync, key: string): Promise<ReconcileResult | void> {
  const cached = s.jobs.get(key);
  if (!cached) {
    s.expectations.delete(key);
    s.backoffs.delete(key);
    return;
  }
  if (cached.spec?.managedBy && cached.spec.managedBy !== JOB_CONTROLLER) return;
  if (isJobFinished(cached)) {
    s.backoffs.delete(key);
    return;
  }
  const mode = cached.spec?.completionMode ?? 'NonIndexed';
  if (mode !== 'NonIndexed' && mode !== 'Indexed') {
    s.recorder.event(asJob(cached), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
    return;
  }
  const now = s.opts.now();
  const job: Job = structuredClone(cached);
  const before = { ...job.status };
  job.status = { ...(job.status ?? {}), uncountedTerminatedPods: job.status?.uncountedTerminatedPods ?? {} };
  const satisfied = s.expectations.satisfied(key);
  const pods = await claimPods(s, job);
  const pending = s.expectations.pendingFinalizerRemovals(key);
  const a = assessJob(job, pods, now, pending);
  const backoff = updateBackoff(s.backoffs.get(key) ?? NO_BACKOFF, a.newSucceeded, a.newFailed, now);
  const c = await steer(s, key, job, a, pods, satisfied, backoff, now);
  Object.assign(job.status, { active: c.active, ready: c.ready, terminating: c.terminating });
  const changed =
    c.suspensionChanged || c.active !== before.active || c.ready !== before.ready || c.terminating !== before.terminating || job.status.startTime !== before.startTime;
  const { finished, capped } = await recordPods(s, key, job, pods, pending, a, c, changed, backoff, now);
  if (c.error) throw c.error;
  if (capped) return { requeueAfterMs: 0 };
  if (c.requeueAfterMs !== undefined && !finished) return { requeueAfterMs: c.requeueAfterMs };
}

/** Removes the tracking finalizer of a pod whose Job is gone, finished, or not a Job it belongs to. */
function orphanNeedsRelease(jobs: Informer<JobObj>, pod: Pod): boolean {
  if (!hasTrackingFinalizer(pod)) return false;
  const ref = controllerRefOf(pod);
  if (!ref) return true;
  if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return false;
  const job = jobs.get(`${pod.metadata!.namespace}/${ref.name}`);
  if (!job || job.metadata?.uid !== ref.uid) return true;
  if (job.spec?.managedBy && job.spec.managedBy !== JOB_CONTROLLER) return false;
  return isJobFinished(job);
}

export function startJobController(ctx: ControllerContext, options: JobControllerOptions = {}): ControllerHandle {
  const jobs = ctx.informers.of<JobObj>('batch/jobs');
  const pods = ctx.informers.of<PodObj>('core/pods');
  pods.addIndex(OWNER_INDEX, byOwnerUid);
  pods.addIndex(NAMESPACE_INDEX, byNamespace);
  const s: JobSync = {
    client: ctx.client,
    jobs,
    pods,
    recorder: ctx.recorder('job-controller'),
    expectations: new Expectations(),
    backoffs: new Map(),
    opts: {
      podFailureBackoffMs: options.podFailureBackoffMs ?? 10_000,
      maxPodFailureBackoffMs: options.maxPodFailureBackoffMs ?? 360_000,
      now: options.now ?? (() => new Date()),
    },
  };
  const queue = new WorkQueue();
  const orphans = new WorkQueue();

  const jobKeyOf = (pod: Pod): string | undefined => {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'Job') return undefined;
    const key = `${pod.metadata!.namespace}/${ref.name}`;
    return jobs.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  };
  const checkOrphan = (pod: Pod) => {
    if (orphanNeedsRelease(jobs, pod)) orphans.add(keyOf(pod));
  };
  jobs.addHandlers({
    onAdd: (j) => queue.add(keyOf(j)),
    onUpdate: (_o, j) => queue.add(keyOf(j)),
    onDelete: (j) => {
      queue.add(keyOf(j));
      for (const pod of pods.byIndex(OWNER_INDEX, j.metadata!.uid!)) checkOrphan(pod);
    },
  });
  pods.addHandlers({
    onAdd: (pod) => {
      const key = jobKeyOf(pod);
      if (key) {
        s.expectations.creationObserved(key);
        queue.add(key);
      }
      checkOrphan(pod);
    },
    onUpdate: (old, pod) => {
      const key = jobKeyOf(pod);
      if (key) {
        if (pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) s.expectations.deletionObserved(key);
        if (hasTrackingFinalizer(old) && !hasTrackingFinalizer(pod)) s.expectations.finalizerRemovalObserved(key, pod.metadata!.uid!);
        queue.add(key);
      }
      const oldKey = jobKeyOf(old);
      if (oldKey && oldKey !== key) queue.add(oldKey);
      checkOrphan(pod);
    },
    onDelete: (pod) => {
      const key = jobKeyOf(pod);
      if (!key) return;
      if (!pod.metadata?.deletionTimestamp) s.expectations.deletionObserved(key);
      s.expectations.finalizerRemovalObserved(key, pod.metadata!.uid!);
      queue.add(key);
    },
  });

  const synced = () => Promise.all([jobs.waitForSync(), pods.waitForSync()]);
  const workers = options.workers ?? 4;
  const main = runController(
    'job',
    queue,
    async (key) => {
      await synced();
      try {
        return await syncJob(s, key);
      } catch (err) {
        // A stale cached Job: its update event is on the way and queues the Job again.
        if (isConflict(err)) return { requeueAfterMs: CONFLICT_RETRY_MS };
        throw err;
      }
    },
    ctx.logger,
    workers,
  );
  const orphanWorker = runController(
    'job-orphan-pods',
    orphans,
    async (key) => {
      await synced();
      const pod = pods.get(key);
      if (pod && orphanNeedsRelease(jobs, pod)) await removeTrackingFinalizer(ctx.client, pod);
    },
    ctx.logger,
    1,
  );
  const ttl = startTtlAfterFinishedController(ctx, { now: s.opts.now });
  return {
    stop: async () => {
      await Promise.all([main.stop(), orphanWorker.stop(), ttl.stop()]);
    },
  };
}
