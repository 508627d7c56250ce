/**
 * The watches this server is streaming, so that metrics can count them and shutdown can end them
 * (an open watch would otherwise keep its connection, and the server, alive).
 */
import type { Watch } from '../store/store.js';

export class OpenWatches {
  private readonly watches = new Set<Watch>();

  /** Registers a watch; call the returned function when it has ended. */
  track(watch: Watch): () => void {
    this.watches.add(watch);
    return () => this.watches.delete(watch);
  }

  get count(): number {
    return this.watches.size;
  }

  /** Ends every open watch; their streams then finish and close. */
  stopAll(): void {
    for (const w of this.watches) w.stop();
  }
}
