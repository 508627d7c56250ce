/**
 * Progress lines of `tug cluster` on stderr (stdout stays for results): one line when a step
 * starts, one when it ends with its duration, and free-form notes in between.
 */

export interface Progress {
  /** Runs `fn` as a named step; its result or error passes through unchanged. */
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  note(text: string): void;
}

/** Progress written to `out`, e.g. process.stderr. `now` is a clock in ms (for tests). */
export function createProgress(out: { write(s: string): unknown }, now: () => number = () => performance.now()): Progress {
  return {
    async step(title, fn) {
      out.write(` • ${title} …\n`);
      const started = now();
      const took = () => `${((now() - started) / 1000).toFixed(1)} s`;
      try {
        const result = await fn();
        out.write(` ✓ ${title} (${took()})\n`);
        return result;
      } catch (err) {
        out.write(` ✗ ${title} (failed after ${took()})\n`);
        throw err;
      }
    },
    note(text) {
      out.write(`   ${text}\n`);
    },
  };
}
