/**
 * Pod failure backoff, as upstream's job controller applies it: after failures the Job waits
 * before creating replacement pods, `base` doubling per consecutive failure since the last
 * success, up to `max`. A record is per Job and lives in the controller's memory.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { finishTime } from './pods.js';

export interface BackoffRecord {
  /** Failures since the last success (in finish order). */
  failuresAfterLastSuccess: number;
  /** When the last of them finished (ms since the epoch). */
  lastFailureTime?: number;
}

export const NO_BACKOFF: BackoffRecord = { failuresAfterLastSuccess: 0 };

/** The record after newly finished pods (not seen by an earlier update). Pure. */
export function updateBackoff(record: BackoffRecord, succeeded: Pod[], failed: Pod[], now: Date): BackoffRecord {
  if (failed.length === 0) return succeeded.length === 0 ? record : NO_BACKOFF;
  const failures = failed.map((p) => finishTime(p, now));
  const lastFailure = Math.max(...failures);
  if (succeeded.length === 0) {
    return { failuresAfterLastSuccess: record.failuresAfterLastSuccess + failed.length, lastFailureTime: Math.max(lastFailure, record.lastFailureTime ?? 0) };
  }
  const lastSuccess = Math.max(...succeeded.map((p) => finishTime(p, now)));
  if (lastSuccess > lastFailure) return NO_BACKOFF;
  return { failuresAfterLastSuccess: failures.filter((t) => t > lastSuccess).length, lastFailureTime: lastFailure };
}

/** Milliseconds to wait before the next pod may be created (0: now). Pure. */
export function remainingBackoffMs(record: BackoffRecord, now: Date, baseMs: number, maxMs: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const delay = Math.min(baseMs * 2 ** (record.failuresAfterLastSuccess - 1), maxMs);
  return Math.max(0, record.lastFailureTime + delay - now.getTime());
}
