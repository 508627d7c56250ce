/**
 * Slow-start batching, as upstream's slowStartBatch: runs `fn` `count` times in batches of 1, 2,
 * 4, … (each batch concurrently), stopping after the first batch with a failure. A controller whose
 * creates all fail (quota, admission, a bad template) thus sends one request, not hundreds.
 */

export const SLOW_START_INITIAL_BATCH = 1;

/** Resolves to how many calls succeeded and the first error of the failed batch, if any. Never rejects. */
export async function slowStartBatch(count: number, initialBatch: number, fn: () => Promise<void>): Promise<{ succeeded: number; error?: unknown }> {
  let remaining = count;
  let succeeded = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { succeeded, error: failed.reason };
    remaining -= batch;
  }
  return { succeeded };
}
