/**
 * TTL-after-finished controller, as upstream's: a finished Job (Complete or Failed) with
 * spec.ttlSecondsAfterFinished is deleted that many seconds after it finished, with foreground
 * propagation, so that its pods go first (the garbage collector deletes them). Before deleting, the
 * Job is read fresh from the API, and the delete is conditional on that version: a Job whose TTL
 * was just changed is not deleted early.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { storageResource } from '../../api/registry.js';
import { isConflict, isNotFound } from '../../client/api-client.js';
import { runController, type ControllerHandle } from '../../client/controller.js';
import { keyOf } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { finishedAt } from './conditions.js';

const jobsDef = storageResource('batch/jobs');

/**
 * Milliseconds until the Job expires (0 or less: it has), or undefined when it has no TTL, is not
 * finished, or is already being deleted. Pure.
 */
export function ttlRemainingMs(job: Job, now: Date): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return undefined;
  const finished = finishedAt(job);
  if (!finished) return undefined;
  return finished.time + ttl * 1000 - now.getTime();
}

export function startTtlAfterFinishedController(ctx: ControllerContext, opts: { now?: () => Date } = {}): ControllerHandle {
  const now = opts.now ?? (() => new Date());
  const jobs = ctx.informers.of<Job & { metadata: ObjectMeta }>('batch/jobs');
  const queue = new WorkQueue();
  const enqueue = (job: Job) => {
    if (ttlRemainingMs(job, now()) !== undefined) queue.add(keyOf(job));
  };
  jobs.addHandlers({ onAdd: enqueue, onUpdate: (_o, j) => enqueue(j) });
  return runController(
    'ttl-after-finished',
    queue,
    async (key) => {
      await jobs.waitForSync();
      const cached = jobs.get(key);
      if (!cached) return;
      const left = ttlRemainingMs(cached, now());
      if (left === undefined) return;
      if (left > 0) return { requeueAfterMs: left };
      const [namespace, name] = key.split('/') as [string, string];
      try {
        const fresh = await ctx.client.get<Job>(jobsDef, namespace, name);
        const freshLeft = ttlRemainingMs(fresh, now());
        if (freshLeft === undefined) return;
        if (freshLeft > 0) return { requeueAfterMs: freshLeft };
        await ctx.client.delete(jobsDef, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata!.uid, resourceVersion: fresh.metadata!.resourceVersion } });
        ctx.logger.info({ job: key }, 'deleted finished job after its TTL');
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) return { requeueAfterMs: 0 };
        throw err;
      }
    },
    ctx.logger,
    2,
  );
}
