/**
 * Undo actions registered while a benchmark sets up (stop a process, remove a temp dir), run in
 * reverse order by the benchmark's finally block or by the runner's SIGINT handler, whichever
 * comes first. run() is idempotent and never throws: a failing action is reported and skipped.
 */
export class Cleanup {
  private readonly actions: { what: string; fn: () => Promise<void> }[] = [];
  private running?: Promise<void>;

  constructor(private readonly report: (message: string) => void) {}

  add(what: string, fn: () => Promise<void>): void {
    this.actions.push({ what, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (let a = this.actions.pop(); a; a = this.actions.pop()) {
        try {
          await a.fn();
        } catch (err) {
          this.report(`cleanup "${a.what}" failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.running;
  }
}
