/**
 * The Store contract: what the API server needs from its backing state. One implementation runs the
 * product (Redis, redis-store.ts); the contract test suite (store.contract.ts) pins the semantics.
 *
 * Objects are plain Kubernetes JSON objects. The store owns `metadata.resourceVersion`: it strips it
 * on write and sets it on every object it returns. resourceVersions come from one global counter, so
 * they increase across all resources, and they are decimal strings.
 *
 * Errors are StatusErrors from control-plane/api/status: NotFound (404), AlreadyExists (409),
 * Conflict (409, stale resourceVersion or failed precondition), Expired (410, history trimmed).
 */

/** Where an object lives: the storage resource (`core/pods`, `apps/deployments`), namespace ('' when cluster-scoped) and name. */
export interface ObjectKey {
  resource: string;
  namespace: string;
  name: string;
}

/** A Kubernetes object as stored. */
export type KObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
};

export interface ListOptions {
  /** '' or absent: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  /** Keep only objects for which this returns true (label and field selectors). */
  predicate?: (obj: KObject) => boolean;
  /** At most this many items; 0 or absent: no limit. */
  limit?: number;
  /** The token a previous page returned. */
  continue?: string;
}

export interface ListResult<T = KObject> {
  items: T[];
  /** The resourceVersion at which the first page was read. */
  resourceVersion: string;
  /** Set when more items remain. */
  continue?: string;
  /** When `limit` cut the list: how many further items remain (an estimate). */
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KObject = KObject> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions {
  namespace?: string;
  predicate?: (obj: KObject) => boolean;
  /**
   * Absent, '' or '0': first an ADDED event for every matching object that exists now, then changes.
   * Otherwise: every change after this resourceVersion, replayed from history; 410 Expired if that
   * history has been trimmed.
   */
  resourceVersion?: string;
  /** Send BOOKMARK events (metadata.resourceVersion only) every this many milliseconds; 0: never. */
  bookmarkIntervalMs?: number;
}

/**
 * A running watch. Events arrive in resourceVersion order through `next()`; `next()` resolves to
 * undefined when the watch has ended (stop(), a slow consumer overflowing its buffer, or the store
 * closing). A consumer that ends early must call stop().
 */
export interface Watch<T extends KObject = KObject> {
  next(): Promise<WatchEvent<T> | undefined>;
  stop(): void;
}

export interface DeleteOptions {
  /** Fail with 409 unless the stored object has this uid. */
  uid?: string;
  /** Fail with 409 unless the stored object has this resourceVersion. */
  resourceVersion?: string;
}

/**
 * The result of a delete: `deleted: true` when the object is gone; otherwise it still carries
 * finalizers and `object` is the stored object with metadata.deletionTimestamp set.
 */
export interface DeleteResult<T extends KObject = KObject> {
  deleted: boolean;
  object: T;
}

export interface Store {
  /** Creates the object. 409 AlreadyExists if the key is taken. Returns it with its resourceVersion. */
  create<T extends KObject>(key: ObjectKey, obj: T): Promise<T>;

  /** 404 NotFound if absent. */
  get<T extends KObject>(key: ObjectKey): Promise<T>;

  /** Like get(), as the object's JSON text (resourceVersion set), without parsing it: for serving objects as stored. */
  getText(key: ObjectKey): Promise<string>;

  /**
   * Like list() without a predicate, as each object's JSON bytes (resourceVersion set), never
   * decoded: for serving large lists as stored.
   */
  listJSON(resource: string, opts?: Omit<ListOptions, 'predicate'>): Promise<ListResult<Buffer>>;

  /** A consistent snapshot (one page of it) with the resourceVersion it was read at. */
  list<T extends KObject>(resource: string, opts?: ListOptions): Promise<ListResult<T>>;

  /**
   * Replaces the object. If obj.metadata.resourceVersion is set it must equal the stored one
   * (409 Conflict otherwise); unset means unconditional. 404 if absent. An object that has a
   * deletionTimestamp, no finalizers left and no pending grace period (deletionGracePeriodSeconds
   * absent or 0) after the update is deleted instead (DELETED event), as upstream does.
   */
  update<T extends KObject>(key: ObjectKey, obj: T): Promise<T>;

  /**
   * Read-modify-write with retries on conflict: `tryUpdate` gets a private copy of the current
   * object and returns the new one (or throws a StatusError to abort). Same deletion rule as update.
   */
  guaranteedUpdate<T extends KObject>(key: ObjectKey, tryUpdate: (current: T) => T | Promise<T>): Promise<T>;

  /**
   * Deletes the object, honouring preconditions (409). If it has finalizers it is not removed:
   * deletionTimestamp is set (once) and the result says `deleted: false`.
   */
  delete<T extends KObject>(key: ObjectKey, opts?: DeleteOptions): Promise<DeleteResult<T>>;

  /** Starts a watch on one resource. Rejects with 410 Expired when the requested history is gone. */
  watch<T extends KObject>(resource: string, opts?: WatchOptions): Promise<Watch<T>>;

  /** The current global resourceVersion. */
  currentResourceVersion(): Promise<string>;

  /** Stops watches and closes connections. */
  close(): Promise<void>;
}
