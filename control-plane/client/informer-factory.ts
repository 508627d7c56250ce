/**
 * Shared informers: one list+watch cache per resource for every controller of a process, as
 * client-go's SharedInformerFactory. Informers are created on first request; start() starts all
 * of them (and those requested later at once), waitForSync() waits for their first lists.
 */
import type { Logger } from 'pino';
import { storageResource } from '../api/registry.js';
import type { ApiClient } from './api-client.js';
import { Informer } from './informer.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {}

  /** The shared informer of a storage resource (`core/pods`, `apps/deployments`), all namespaces. */
  of<T extends { metadata: any } = any>(storage: string): Informer<T> {
    let informer = this.informers.get(storage);
    if (!informer) {
      informer = new Informer(this.client, storageResource(storage), this.log.child({ informer: storage }));
      this.informers.set(storage, informer);
      if (this.started) informer.start();
    }
    return informer as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves once every informer requested so far has listed. */
  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  stop(): void {
    for (const informer of this.informers.values()) informer.stop();
  }
}
