/**
 * An informer: a list+watch cache of one resource, kept current from the API, with handlers called
 * on add/update/delete. Lists, then watches from the list's resourceVersion; on a watch that ends it
 * resumes from the last seen resourceVersion; on 410 Expired (or any error) it relists and reports
 * the differences, so handlers see every change at least as a final state (level-based consumers).
 * Objects in the cache are shared: never modify them, copy first.
 */
import type { Logger } from 'pino';
import { ApiError, type ApiClient, type ResourceType, type WatchStream } from './api-client.js';

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Wait before relisting after an error (doubles up to 30 s). */
  retryDelayMs?: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key used by caches and work queues. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

/** Index function: the index values an object is filed under (e.g. its owner uids, its node). */
export type IndexFunc<T> = (obj: T) => string[];

/** The owner uids of an object: the standard index for controllers. */
export const byOwnerUid: IndexFunc<any> = (obj) => (obj.metadata?.ownerReferences ?? []).map((r: any) => r.uid);

/** The namespace of an object. */
export const byNamespace: IndexFunc<any> = (obj) => [obj.metadata?.namespace ?? ''];

export class Informer<T extends { metadata: any } = any> {
  private readonly cache = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private stream: WatchStream | undefined;
  private stopped = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly type: ResourceType,
    private readonly log: Logger,
    private readonly opts: InformerOptions = {},
  ) {}

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }

  /** Adds an index; objects already cached are filed at once. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indexes.set(name, index);
    for (const [key, obj] of this.cache) this.file(index, fn, key, obj);
  }

  /** Cached objects filed under `value` in index `name`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.cache.get(k)!).filter(Boolean);
  }

  private file(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const value of fn(obj)) {
      let set = index.get(value);
      if (!set) index.set(value, (set = new Set()));
      set.add(key);
    }
  }

  private unfile(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const value of fn(obj)) {
        const set = index.get(value);
        set?.delete(key);
        if (set?.size === 0) index.delete(value);
      }
    }
  }

  /** Puts an object in the cache and the indexes; returns the one it replaced. */
  private put(key: string, obj: T): T | undefined {
    const old = this.cache.get(key);
    if (old) this.unfile(key, old);
    this.cache.set(key, obj);
    for (const [name, fn] of this.indexers) this.file(this.indexes.get(name)!, fn, key, obj);
    return old;
  }

  private drop(key: string): T | undefined {
    const old = this.cache.get(key);
    if (old) {
      this.unfile(key, old);
      this.cache.delete(key);
    }
    return old;
  }

  /** Starts list+watch in the background; returns at once. */
  start(): void {
    void this.run(this.opts.retryDelayMs ?? 500);
  }

  /** Resolves once the first list has filled the cache. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stream?.stop();
  }

  private async run(retryDelayMs: number): Promise<void> {
    let delay = retryDelayMs;
    while (!this.stopped) {
      try {
        await this.relist();
        delay = retryDelayMs;
        while (!this.stopped) {
          const expired = await this.watchOnce();
          if (expired) break;
        }
      } catch (err) {
        if (this.stopped) return;
        this.log.warn({ err: (err as Error).message, resource: this.type.plural }, 'informer list/watch failed; retrying');
        await new Promise<void>((r) => (this.retryTimer = setTimeout(r, delay)));
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.type, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    });
    const fresh = new Map<string, T>();
    for (const item of list.items) fresh.set(keyOf(item), item);
    for (const [key, old] of [...this.cache]) {
      if (!fresh.has(key)) {
        this.drop(key);
        for (const h of this.handlers) h.onDelete?.(old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.put(key, obj);
      if (!old) for (const h of this.handlers) h.onAdd?.(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) for (const h of this.handlers) h.onUpdate?.(old, obj);
    }
    this.resourceVersion = list.metadata.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** One watch request; resolves true when the history expired (relist needed). */
  private async watchOnce(): Promise<boolean> {
    let expired = false;
    this.stream = this.client.watch<T>(
      this.type,
      this.opts.namespace,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      },
      (ev) => {
        if (ev.type === 'ERROR') {
          expired = true;
          this.stream?.stop();
          return;
        }
        const rv = ev.object?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (ev.type === 'BOOKMARK') return;
        const key = keyOf(ev.object);
        if (ev.type === 'DELETED') {
          this.drop(key);
          for (const h of this.handlers) h.onDelete?.(ev.object);
        } else {
          const old = this.put(key, ev.object);
          if (old) for (const h of this.handlers) h.onUpdate?.(old, ev.object);
          else for (const h of this.handlers) h.onAdd?.(ev.object);
        }
      },
    );
    try {
      await this.stream.done;
    } catch (err) {
      if (err instanceof ApiError && err.code === 410) return true;
      throw err;
    }
    return expired;
  }
}
