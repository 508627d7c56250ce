/**
 * The product's Store: Redis (see keys.ts for the layout, scripts.ts for the atomic writes,
 * watch-hub.ts for watch delivery).
 *
 * Consistency: every write is one Lua script (compare-and-set on the stored resourceVersion, INCR of
 * the global counter, object, index and stream entry together). A list page is one script reading
 * the counter and the objects atomically. Pages after the first (continue tokens), and the extra
 * reads a filtered list with a limit may need, read current data but report the first read's
 * resourceVersion: they are not a snapshot at it.
 *
 * Watch events are parsed once and shared by every watcher they reach: treat their objects as
 * read-only (copy before changing). get and list return freshly parsed objects; create, update and
 * guaranteedUpdate return a shallow copy of the object written, carrying its new resourceVersion.
 *
 * Connection loss: ioredis reconnects and resends commands that were in flight, so a write whose
 * reply was lost may run twice; the second run refuses (AlreadyExists, Conflict, NotFound) or is a
 * no-op (same content), so nothing is written twice, but the caller may see that refusal.
 */
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import {
  alreadyExists,
  badRequest,
  conflict,
  gone,
  notFound,
  STALE_OBJECT,
} from '../../api/status.js';
import type {
  DeleteOptions,
  DeleteResult,
  KObject,
  ListOptions,
  ListResult,
  ObjectKey,
  Store,
  Watch,
  WatchOptions,
} from '../store.js';
import { parseEntry } from './change.js';
import { decode, encode, splitStored, storedToJSONBytes, withResourceVersion, withResourceVersionText } from './codec.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { checkPreconditions, completesDeletion, markDeleting } from './deletion.js';
import { KeySpace, memberOf, namespaceRange, resourceRef, type ResourceKeys } from './keys.js';
import { Scripts, type WriteReply } from './scripts.js';
import { WatchHub, type Subscription } from './watch-hub.js';
import { StoreWatch } from './watcher.js';

export interface RedisStoreOptions {
  /** `redis://host:port[/db]` */
  url: string;
  /** Prefix of every key (default `tug:`); lets several stores share one Redis. */
  prefix?: string;
  /** Events kept per resource stream for watch resumption (default 10000); older resumes get 410. */
  historyLimit?: number;
  logger?: Logger;
  /** Events a watcher may fall behind before it is ended (default 10000). */
  watchBufferSize?: number;
}

const DEFAULT_PREFIX = 'tug:';
const DEFAULT_HISTORY_LIMIT = 10_000;
const DEFAULT_WATCH_BUFFER = 10_000;
/** Read-modify-write attempts before giving up with 409 Conflict. */
const MAX_ATTEMPTS = 16;
/** Stream entries per replay read. */
const REPLAY_PAGE = 1000;
/** First chunk when a filtered list has a limit; it doubles per further read. */
const FILTERED_CHUNK = 256;
const HUB_BLOCK_MS = 2000;
const HUB_MAX_COUNT = 1000;

/** Connects to Redis (rejects if it cannot) and returns a Store on it. */
export async function createRedisStore(opts: RedisStoreOptions): Promise<Store> {
  const redis = new Redis(opts.url, { enableAutoPipelining: true, lazyConnect: true, connectionName: 'tug-store' });
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'redis-store' });
  redis.on('error', (err: Error) => log.warn({ err }, 'redis connection error'));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return new RedisStore(redis, opts, log);
}

class RedisStore implements Store {
  private readonly keys: KeySpace;
  private readonly scripts: Scripts;
  private readonly hub: WatchHub;
  private readonly watches = new Set<StoreWatch>();
  private readonly watchBufferSize: number;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    opts: RedisStoreOptions,
    private readonly log: Logger,
  ) {
    const limit = Math.max(1, Math.floor(opts.historyLimit ?? DEFAULT_HISTORY_LIMIT));
    this.keys = new KeySpace(opts.prefix ?? DEFAULT_PREFIX);
    this.scripts = new Scripts(redis, { limit, batch: Math.max(1, Math.floor(limit / 10)) });
    this.watchBufferSize = opts.watchBufferSize ?? DEFAULT_WATCH_BUFFER;
    this.hub = new WatchHub(redis, this.keys, log, { blockMs: HUB_BLOCK_MS, count: Math.min(HUB_MAX_COUNT, limit) });
  }

  async create<T extends KObject>(key: ObjectKey, obj: T): Promise<T> {
    const reply = await this.scripts.create(this.keys.of(key.resource), memberOf(key.namespace, key.name), encode(obj));
    if (reply === 'EXISTS') throw alreadyExists(resourceRef(key.resource, key.name));
    return withResourceVersion(obj, String(written(reply)));
  }

  async get<T extends KObject>(key: ObjectKey): Promise<T> {
    const stored = await this.redis.hget(this.keys.of(key.resource).objects, memberOf(key.namespace, key.name));
    if (stored === null) throw notFound(resourceRef(key.resource, key.name));
    const { rv, json } = splitStored(stored);
    return decode<T>(json, rv);
  }

  async getText(key: ObjectKey): Promise<string> {
    const stored = await this.redis.hget(this.keys.of(key.resource).objects, memberOf(key.namespace, key.name));
    if (stored === null) throw notFound(resourceRef(key.resource, key.name));
    const { rv, json } = splitStored(stored);
    return withResourceVersionText(json, rv);
  }

  async listJSON(resource: string, opts: Omit<ListOptions, 'predicate'> = {}): Promise<ListResult<Buffer>> {
    const keys = this.keys.of(resource);
    const range = namespaceRange(opts.namespace);
    let min = range.min;
    let tokenRv: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      min = `[${token.start}`;
      tokenRv = String(token.rv);
    }
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    const page = await this.scripts.listBuffers(keys, min, range.max, limit);
    const rv = tokenRv ?? page.rv;
    const result: ListResult<Buffer> = { items: page.values.map(storedToJSONBytes), resourceVersion: rv };
    if (page.remaining > 0) {
      result.continue = encodeContinue(Number(rv), page.members[page.members.length - 1]!.toString('utf8'));
      result.remainingItemCount = page.remaining;
    }
    return result;
  }

  list<T extends KObject>(resource: string, opts: ListOptions = {}): Promise<ListResult<T>> {
    return this.readList(resource, opts, (stored) => decodeStored<T>(stored));
  }

  /** One page of a list, each stored value turned into an item by `read`. */
  private async readList<T>(resource: string, opts: ListOptions, read: (stored: string) => T): Promise<ListResult<T>> {
    const keys = this.keys.of(resource);
    const range = namespaceRange(opts.namespace);
    let min = range.min;
    let tokenRv: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      min = `[${token.start}`;
      tokenRv = String(token.rv);
    }
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    const predicate = opts.predicate;

    if (!predicate || !limit) {
      const page = await this.scripts.list(keys, min, range.max, limit);
      const rv = tokenRv ?? page.rv;
      const items: T[] = [];
      for (let i = 0; i < page.members.length; i++) {
        const obj = read(page.values[i]!);
        if (!predicate || predicate(obj as KObject)) items.push(obj);
      }
      const result: ListResult<T> = { items, resourceVersion: rv };
      if (page.remaining > 0) {
        result.continue = encodeContinue(Number(rv), page.members[page.members.length - 1]!);
        result.remainingItemCount = page.remaining;
      }
      return result;
    }

    // Filtered with a limit: read growing chunks until `limit` objects match or the range ends.
    const items: T[] = [];
    let rv = tokenRv;
    let chunk = Math.max(limit, FILTERED_CHUNK);
    for (;;) {
      const page = await this.scripts.list(keys, min, range.max, chunk);
      rv ??= page.rv;
      for (let i = 0; i < page.members.length; i++) {
        const obj = read(page.values[i]!);
        if (!predicate(obj as KObject)) continue;
        items.push(obj);
        if (items.length === limit) {
          const more = i < page.members.length - 1 || page.remaining > 0;
          const result: ListResult<T> = { items, resourceVersion: rv };
          if (more) result.continue = encodeContinue(Number(rv), page.members[i]!);
          return result;
        }
      }
      if (page.remaining === 0) return { items, resourceVersion: rv };
      min = `(${page.members[page.members.length - 1]!}`;
      chunk *= 2;
    }
  }

  async update<T extends KObject>(key: ObjectKey, obj: T): Promise<T> {
    const result = await this.write(key, obj, obj.metadata.resourceVersion ?? '');
    if (!result) throw conflict(resourceRef(key.resource, key.name), STALE_OBJECT);
    return result;
  }

  async guaranteedUpdate<T extends KObject>(key: ObjectKey, tryUpdate: (current: T) => T | Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // get() returns a freshly parsed object: tryUpdate may change it freely.
      const current = await this.get<T>(key);
      const readRv = current.metadata.resourceVersion!;
      const result = await this.write(key, await tryUpdate(current), readRv);
      if (result) return result;
    }
    throw conflict(resourceRef(key.resource, key.name), STALE_OBJECT);
  }

  async delete<T extends KObject>(key: ObjectKey, opts: DeleteOptions = {}): Promise<DeleteResult<T>> {
    const ref = resourceRef(key.resource, key.name);
    const keys = this.keys.of(key.resource);
    const member = memberOf(key.namespace, key.name);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.get<T>(key);
      checkPreconditions(ref, current, opts);
      const readRv = current.metadata.resourceVersion!;
      if (current.metadata.finalizers?.length) {
        const marked = markDeleting(current, new Date());
        if (!marked) return { deleted: false, object: current };
        const reply = await this.scripts.update(keys, member, encode(marked), readRv);
        if (reply === 'CONFLICT') continue;
        return { deleted: false, object: withResourceVersion(marked, String(this.checked(reply, key))) };
      }
      const reply = await this.scripts.delete(keys, member, readRv, '');
      if (reply === 'CONFLICT') continue;
      return { deleted: true, object: withResourceVersion(current, String(this.checked(reply, key))) };
    }
    throw conflict(ref, STALE_OBJECT);
  }

  async watch<T extends KObject>(resource: string, opts: WatchOptions = {}): Promise<Watch<T>> {
    if (this.closed) throw new Error('store is closed');
    const from = parseWatchVersion(opts.resourceVersion);
    const keys = this.keys.of(resource);
    const watcher = new StoreWatch({
      namespace: opts.namespace,
      predicate: opts.predicate,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 0,
      bufferSize: this.watchBufferSize,
      onEnd: (why) => {
        this.watches.delete(watcher);
        if (why !== 'stopped') this.log.info({ resource, why }, 'watch ended');
      },
    });
    const subscription = this.hub.subscribe(resource, watcher);
    watcher.attach(subscription);
    this.watches.add(watcher);
    try {
      const floor = from === undefined ? await this.initialObjects(keys, opts, watcher, subscription) : await this.replay(keys, from, watcher, subscription);
      watcher.goLive(floor);
    } catch (err) {
      watcher.stop();
      throw err;
    }
    return watcher as unknown as Watch<T>;
  }

  async currentResourceVersion(): Promise<string> {
    return (await this.redis.get(this.keys.rv)) ?? '0';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watcher of [...this.watches]) watcher.stop();
    await this.hub.close();
    // QUIT waits for the connection; one that is reconnecting (Redis restarting) would hold close() up.
    if (this.redis.status === 'ready') {
      await Promise.race([this.redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    }
    this.redis.disconnect();
  }

  /**
   * Writes `obj` over the stored object if its rv is `expectedRv` ('' = any), deleting it instead
   * when the update completes a pending deletion. Undefined on a stale rv; throws 404 if absent.
   */
  private async write<T extends KObject>(key: ObjectKey, obj: T, expectedRv: string): Promise<T | undefined> {
    const keys = this.keys.of(key.resource);
    const member = memberOf(key.namespace, key.name);
    const json = encode(obj);
    const reply = completesDeletion(obj)
      ? await this.scripts.delete(keys, member, expectedRv, json)
      : await this.scripts.update(keys, member, json, expectedRv);
    if (reply === 'CONFLICT') return undefined;
    return withResourceVersion(obj, String(this.checked(reply, key)));
  }

  /** The rv a write script returned; NotFound if it found no object. */
  private checked(reply: WriteReply, key: ObjectKey): number {
    if (reply === 'NOTFOUND') throw notFound(resourceRef(key.resource, key.name));
    return written(reply);
  }

  /** Queues ADDED for every matching object now and returns the rv they were read at. */
  private async initialObjects(keys: ResourceKeys, opts: WatchOptions, watcher: StoreWatch, subscription: Subscription): Promise<number> {
    const range = namespaceRange(opts.namespace);
    const page = await this.scripts.list(keys, range.min, range.max, 0);
    const rv = Number(page.rv);
    subscription.activate(rv);
    for (const stored of page.values) {
      const obj = decodeStored(stored);
      if (!opts.predicate || opts.predicate(obj)) watcher.pushInitial({ type: 'ADDED', object: obj });
    }
    return rv;
  }

  /** Queues every change after `from` still in history (410 if some is gone) and returns the rv covered. */
  private async replay(keys: ResourceKeys, from: number, watcher: StoreWatch, subscription: Subscription): Promise<number> {
    let after = from;
    let to = '+';
    let covered = from;
    for (;;) {
      const reply = await this.scripts.replay(keys, after, to, REPLAY_PAGE);
      if (after < Number(reply.compacted)) throw gone(`too old resource version: ${from} (${reply.compacted})`);
      if (to === '+') {
        covered = Math.max(from, Number(reply.rv));
        subscription.activate(Number(reply.rv));
        to = `${reply.rv}-0`;
      }
      for (const entry of reply.entries) {
        const change = parseEntry(entry);
        watcher.replayed(change);
        after = change.rv;
      }
      if (reply.entries.length < REPLAY_PAGE) return covered;
    }
  }
}

/** The rv a successful write script returned. */
function written(reply: WriteReply): number {
  if (typeof reply !== 'number') throw new Error(`unexpected store script reply: ${reply}`);
  return reply;
}

function decodeStored<T extends KObject>(stored: string): T {
  const { rv, json } = splitStored(stored);
  return decode<T>(json, rv);
}

/** Absent, '' and '0' mean "from now, with the current objects first" (undefined). */
function parseWatchVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(Number(rv))) throw badRequest(`invalid resource version: ${rv}`);
  return Number(rv);
}
