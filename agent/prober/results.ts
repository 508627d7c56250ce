/**
 * The probe results cache: the latest settled result (past its threshold) of each probe of each
 * container instance, written by probe workers and read by pod syncs (liveness/startup failures
 * kill, readiness and startup feed the status).
 */
export type ProbeType = 'liveness' | 'readiness' | 'startup';

export class ProbeResults {
  private readonly byContainer = new Map<string, Partial<Record<ProbeType, boolean>>>();

  /** Sets a result; true when it changed. */
  set(containerId: string, type: ProbeType, success: boolean): boolean {
    const entry = this.byContainer.get(containerId) ?? {};
    const changed = entry[type] !== success;
    entry[type] = success;
    this.byContainer.set(containerId, entry);
    return changed;
  }

  /** true success, false failure, undefined no result yet. */
  get(containerId: string, type: ProbeType): boolean | undefined {
    return this.byContainer.get(containerId)?.[type];
  }

  remove(containerId: string): void {
    this.byContainer.delete(containerId);
  }

  /** The probe whose failure means the instance must be killed, if any. */
  failure(containerId: string): 'liveness' | 'startup' | undefined {
    const entry = this.byContainer.get(containerId);
    if (entry?.liveness === false) return 'liveness';
    if (entry?.startup === false) return 'startup';
    return undefined;
  }
}
