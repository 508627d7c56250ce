/**
 * A stand-in scheduler for controller integration tests (test support; nothing in the product
 * imports it): binds every unscheduled pod to one node through pods/binding, as the scheduler
 * does. A pod someone else bound first (a real scheduler) or that went away is left alone.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { storageResource } from '../../api/registry.js';
import { ApiError, type ApiClient } from '../../client/api-client.js';
import { Informer } from '../../client/informer.js';

const pods = storageResource('core/pods');

export class TestBinder {
  private readonly informer: Informer<Pod & { metadata: NonNullable<Pod['metadata']> }>;
  private readonly bound = new Set<string>();

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {
    this.informer = new Informer(client, pods, log.child({ component: 'test-binder' }));
    this.informer.addHandlers({ onAdd: (p) => this.bind(p), onUpdate: (_o, p) => this.bind(p) });
  }

  /** Starts binding; resolves once the pods that exist are known. */
  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  stop(): void {
    this.informer.stop();
  }

  private bind(pod: Pod & { metadata: NonNullable<Pod['metadata']> }): void {
    const { uid, name, namespace } = pod.metadata;
    if (pod.spec?.nodeName || pod.metadata.deletionTimestamp || this.bound.has(uid!)) return;
    this.bound.add(uid!);
    const body = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName } };
    this.client.request('POST', this.client.path(pods, namespace, name, 'binding'), { body }).catch((err) => {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) this.log.warn({ pod: `${namespace}/${name}`, err: (err as Error).message }, 'binding failed');
    });
  }
}
