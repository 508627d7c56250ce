/**
 * Runs a level-based reconciler over a work queue: workers take keys, call reconcile, and on
 * failure re-queue the key with backoff. A reconcile may ask to be called again later.
 */
import type { Logger } from 'pino';
import type { WorkQueue } from './workqueue.js';

export interface ReconcileResult {
  /** Look at this key again after this many milliseconds. */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ControllerHandle {
  /** Stops taking keys; resolves when running reconciles have finished. */
  stop(): Promise<void>;
}

export function runController(name: string, queue: WorkQueue, reconcile: Reconcile, log: Logger, workers = 1): ControllerHandle {
  const clog = log.child({ controller: name });
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        clog.warn({ key, err: (err as Error).message }, 'reconcile failed; retrying with backoff');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  const running = Array.from({ length: workers }, () => worker());
  return {
    stop: async () => {
      queue.shutDown();
      await Promise.all(running);
    },
  };
}
