/**
 * How many pods a running Job should have, as upstream's manageJob decides: a suspended Job has
 * none; otherwise min(parallelism, completions still missing) (or parallelism until the first
 * success for Jobs without completions). Deletions come before creations, one kind per sync;
 * replacements wait for the pod failure backoff. Pure.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isIndexed, isSuspended, onlyReplaceFailed } from './assess.js';
import { firstPendingIndexes, redundantIndexPods } from './indexes.js';
import { compareForRemoval, isTerminating } from './pods.js';

/** The most pods created or deleted in one sync, as upstream. */
export const MAX_POD_CHANGES_PER_SYNC = 500;

export interface PodPlan {
  /** Active pods to delete. */
  remove: Pod[];
  /** Pods to create: a count for NonIndexed Jobs, the completion indexes for Indexed ones. */
  create: number;
  indexes?: number[];
  /** The backoff still to wait before creating (when creations are held back). */
  waitMs?: number;
}

export interface ManageInput {
  active: Pod[];
  /** All of the Job's pods (Indexed Jobs do not reuse an index a terminating pod still holds when only failed pods are replaced). */
  pods: Pod[];
  succeeded: number;
  succeededIndexes?: Set<number>;
  terminating: number;
  backoffMs: number;
}

/** The number of pods the Job should be running now. */
export function wantActive(job: Job, active: number, succeeded: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (completions === undefined || completions === null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

export function planPods(job: Job, input: ManageInput): PodPlan {
  const ordered = [...input.active].sort(compareForRemoval);
  if (isSuspended(job)) return { remove: ordered.slice(0, MAX_POD_CHANGES_PER_SYNC), create: 0 };

  const want = wantActive(job, input.active.length, input.succeeded);
  const rmAtLeast = Math.max(0, input.active.length - want);
  let remove: Pod[] = [];
  if (isIndexed(job)) remove = redundantIndexPods(ordered, job.spec?.completions ?? 0);
  if (remove.length < rmAtLeast) remove.push(...ordered.filter((p) => !remove.includes(p)).slice(0, rmAtLeast - remove.length));
  if (remove.length > 0) return { remove: remove.slice(0, MAX_POD_CHANGES_PER_SYNC), create: 0 };

  const blocking = onlyReplaceFailed(job) ? input.terminating : 0;
  let diff = Math.min(want - blocking - input.active.length, MAX_POD_CHANGES_PER_SYNC);
  if (diff <= 0) return { remove: [], create: 0 };
  if (input.backoffMs > 0) return { remove: [], create: 0, waitMs: input.backoffMs };
  if (isIndexed(job)) {
    const running = onlyReplaceFailed(job) ? [...input.active, ...input.pods.filter(isTerminating)] : input.active;
    const indexes = firstPendingIndexes(diff, job.spec?.completions ?? 0, input.succeededIndexes ?? new Set(), running);
    diff = indexes.length;
    return { remove: [], create: diff, indexes };
  }
  return { remove: [], create: diff };
}
