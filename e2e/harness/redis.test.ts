import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

const started: RedisServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const server of started) await server.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function start(opts?: Parameters<typeof startRedis>[0]): Promise<RedisServer> {
  const server = await startRedis(opts);
  started.push(server);
  return server;
}

/** Runs `fn` with a client that does not retry, then disconnects it. */
async function withClient<T>(server: RedisServer, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

describe('startRedis', () => {
  it('serves on a loopback port with AOF on and RDB snapshots off, in a temp dir', async () => {
    const server = await start();
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    await withClient(server, async (redis) => {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      expect(await redis.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      expect(await redis.config('GET', 'dir')).toEqual(['dir', server.dir]);
    });
  });

  it('runs several servers side by side', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.port).not.toBe(b.port);
    await withClient(a, (redis) => redis.set('k', 'a'));
    await withClient(b, async (redis) => expect(await redis.get('k')).toBeNull());
  });

  it('keeps data across restart() on the same port and dir', async () => {
    const server = await start();
    const { port, dir } = server;
    await withClient(server, (redis) => redis.set('durable', 'yes'));
    await server.restart();
    expect([server.port, server.dir]).toEqual([port, dir]);
    await withClient(server, async (redis) => expect(await redis.get('durable')).toBe('yes'));
  });

  it('stop() ends the server, removes the temp dir, and is idempotent', async () => {
    const server = await start();
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
    await withClient(server, async (redis) => expect(redis.ping()).rejects.toThrow());
    await server.stop();
    await expect(server.restart()).rejects.toThrow();
  });

  it('keeps a dir it was given, and can run without AOF', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-redis-given-'));
    dirs.push(dir);
    const server = await start({ dir, appendonly: false });
    await withClient(server, async (redis) => {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      await redis.set('k', 'v');
    });
    await server.stop();
    expect(existsSync(dir)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });
});
