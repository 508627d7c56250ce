import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../e2e/harness/redis.js';
import type { KObject, ObjectKey, Store, Watch, WatchEvent } from '../store.js';
import { storeContract, type ContractTuning } from '../store.contract.js';
import { KeySpace } from './keys.js';
import { createRedisStore, type RedisStoreOptions } from './redis-store.js';

// One redis-server for the file; every store gets its own key prefix, so stores are independent.
let shared: Promise<RedisServer> | undefined;
const server = () => (shared ??= startRedis());
let prefixes = 0;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  if (shared) await (await shared).stop();
});

/** A store on `srv` (default: the shared server), closed after the file. */
async function openStore(opts: Partial<RedisStoreOptions> = {}, srv?: RedisServer): Promise<Store> {
  const store = await createRedisStore({ url: (srv ?? (await server())).url, prefix: `t${++prefixes}:`, ...opts });
  cleanups.push(() => store.close());
  return store;
}

storeContract('redis', async (tuning: ContractTuning) => {
  const url = (await server()).url;
  const prefix = `c${++prefixes}:`;
  const stores: Store[] = [await createRedisStore({ url, prefix, ...tuning })];
  return {
    store: stores[0]!,
    async another() {
      const store = await createRedisStore({ url, prefix, ...tuning });
      stores.push(store);
      return store;
    },
    async cleanup() {
      for (const store of stores) await store.close();
    },
  };
});

describe('redis store', () => {
  it('keeps objects across a Redis restart (AOF), and resourceVersions keep increasing', async () => {
    const own = await startRedis();
    cleanups.push(() => own.stop());
    const store = await openStore({ prefix: 'durable:' }, own);
    const key = podKey('default', 'durable');
    const created = await store.create(key, pod(key));
    const watch = await store.watch('core/pods', { namespace: 'default', resourceVersion: created.metadata.resourceVersion });
    try {
      await own.restart();
      expect(await eventually(() => store.get(key))).toEqual(created);
      const after = await store.create(podKey('default', 'later'), pod(podKey('default', 'later')));
      expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      // The watch hub reconnects and keeps delivering.
      expect(await nextEvent(watch)).toEqual({ type: 'ADDED', object: after });
      // A fresh store on the restarted server sees the same state.
      const fresh = await openStore({ prefix: 'durable:' }, own);
      expect((await fresh.list('core/pods')).items).toEqual([created, after]);
    } finally {
      watch.stop();
    }
  });

  it('lets exactly one of two racing writers with the same resourceVersion win', async () => {
    const prefix = `race${++prefixes}:`;
    const [one, two] = [await openStore({ prefix }), await openStore({ prefix })];
    const key = podKey('default', 'contended');
    let current = await one.create(key, { ...pod(key), spec: { n: 0 } });
    for (let round = 1; round <= 25; round++) {
      const results = await Promise.allSettled([
        one.update(key, { ...current, spec: { n: round, by: 'one' } }),
        two.update(key, { ...current, spec: { n: round, by: 'two' } }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0]).toMatchObject({ reason: { code: 409, reason: 'Conflict' } });
      current = (won[0] as PromiseFulfilledResult<KObject>).value;
      expect(await two.get(key)).toEqual(current);
    }
  });

  it('stores JSON without resourceVersion beside its rv, and keeps history bounded', async () => {
    const prefix = `layout${++prefixes}:`;
    const store = await openStore({ prefix, historyLimit: 20 });
    const raw = new Redis((await server()).url);
    cleanups.push(async () => void raw.disconnect());
    const key = podKey('ns', 'a');
    let current = await store.create(key, pod(key));
    for (let i = 0; i < 100; i++) current = await store.update(key, { ...current, spec: { i } });
    const keys = new KeySpace(prefix).of('core/pods');
    const stored = (await raw.hget(keys.objects, 'ns/a'))!;
    expect(stored.slice(0, stored.indexOf('\n'))).toBe(current.metadata.resourceVersion);
    expect(JSON.parse(stored.slice(stored.indexOf('\n') + 1)).metadata.resourceVersion).toBeUndefined();
    expect(await raw.zrange(keys.index, 0, -1)).toEqual(['ns/a']);
    const length = await raw.xlen(keys.events);
    expect(length).toBeGreaterThanOrEqual(20);
    expect(length).toBeLessThanOrEqual(22);
    const [[oldest]] = (await raw.xrange(keys.events, '-', '+', 'COUNT', 1)) as [[string, string[]]];
    expect(Number(await raw.get(keys.compacted))).toBe(Number(oldest.split('-')[0]) - 1);
    // Resuming right at the compacted rv works; one before it is gone.
    const compacted = (await raw.get(keys.compacted))!;
    const atEdge = await store.watch('core/pods', { resourceVersion: compacted });
    atEdge.stop();
    await expect(store.watch('core/pods', { resourceVersion: String(Number(compacted) - 1) })).rejects.toMatchObject({ code: 410 });
  });

  it('ends watches instead of skipping events when history is trimmed past the hub', async () => {
    const prefix = `lag${++prefixes}:`;
    const store = await openStore({ prefix, historyLimit: 10 });
    const key = podKey('ns', 'burst');
    const created = await store.create(key, pod(key));
    const watch = await store.watch('core/pods', { namespace: 'ns', resourceVersion: created.metadata.resourceVersion });
    // 40 writes in one MULTI: the hub's blocked XREAD is answered only after all of them, when
    // the stream has already been trimmed past the hub's position.
    const raw = new Redis((await server()).url);
    cleanups.push(async () => void raw.disconnect());
    const keys = new KeySpace(prefix).of('core/pods');
    const multi = raw.multi();
    for (let i = 0; i < 40; i++) {
      multi.eval(
        `local rv = redis.call('INCR', KEYS[1])
         redis.call('HSET', KEYS[2], ARGV[1], rv .. '\\n' .. ARGV[2])
         redis.call('XADD', KEYS[3], rv .. '-0', 'type', 'MODIFIED', 'key', ARGV[1], 'obj', ARGV[2], 'prev', ARGV[2])
         redis.call('XTRIM', KEYS[3], 'MAXLEN', 10)
         local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1][1]
         redis.call('SET', KEYS[4], tostring(tonumber(string.match(oldest, '^%d+')) - 1))`,
        4, keys.rv, keys.objects, keys.events, keys.compacted, 'ns/burst', JSON.stringify({ ...pod(key), spec: { i } }),
      );
    }
    await multi.exec();
    const seen: WatchEvent[] = [];
    for (let event = await nextEvent(watch, true); event; event = await nextEvent(watch, true)) seen.push(event);
    expect(seen).toEqual([]);
    await expect(store.watch('core/pods', { resourceVersion: created.metadata.resourceVersion })).rejects.toMatchObject({ code: 410 });
  });

  it('keeps stores with different prefixes apart', async () => {
    const [one, two] = [await openStore(), await openStore()];
    const key = podKey('ns', 'a');
    await one.create(key, pod(key));
    await expect(two.get(key)).rejects.toMatchObject({ code: 404 });
    expect(await two.currentResourceVersion()).toBe('0');
  });

  it('rejects when Redis is unreachable', async () => {
    const gone = await startRedis();
    const url = gone.url;
    await gone.stop();
    await expect(createRedisStore({ url })).rejects.toThrow();
  });

  it('lists and serves 10,000 objects quickly', async () => {
    const store = await openStore();
    const total = 10_000;
    for (let start = 0; start < total; start += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => {
          const key = podKey(`ns${(start + i) % 10}`, `pod-${start + i}`);
          return store.create(key, pod(key, { labels: { app: `app${(start + i) % 7}` } }));
        }),
      );
    }
    let started = performance.now();
    const list = await store.list('core/pods');
    const listMs = performance.now() - started;
    expect(list.items).toHaveLength(total);
    const latencies: number[] = [];
    for (let i = 0; i < 500; i++) {
      started = performance.now();
      await store.get(podKey(`ns${i % 10}`, `pod-${i}`));
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    // Generous bounds (the benchmark holds the real targets): catch order-of-magnitude regressions.
    expect(listMs).toBeLessThan(2000);
    expect(latencies[Math.floor(latencies.length * 0.99)]!).toBeLessThan(50);
  });
});

function podKey(namespace: string, name: string): ObjectKey {
  return { resource: 'core/pods', namespace, name };
}

function pod(key: ObjectKey, meta: Partial<KObject['metadata']> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: key.name, namespace: key.namespace, uid: `uid-${key.name}`, ...meta }, spec: {} };
}

async function nextEvent(watch: Watch, mayEnd = false): Promise<WatchEvent | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 10_000)));
  try {
    const event = await Promise.race([watch.next(), timeout]);
    if (event === 'timeout') throw new Error('no watch event within the timeout');
    if (event === undefined && !mayEnd) throw new Error('the watch ended unexpectedly');
    return event;
  } finally {
    clearTimeout(timer);
  }
}

/** Retries `fn` until it succeeds (a reconnecting client), for up to 10 s. */
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
