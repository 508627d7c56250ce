import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from './lock.js';
import { ErrorCode } from './types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  it('never lets two holders overlap', async () => {
    const file = path.join(dir, 'sub', 'lock');
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(file, 10_000, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(20);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
  });

  it('releases the lock when the holder throws', async () => {
    const file = path.join(dir, 'throw');
    await expect(withFileLock(file, 1000, async () => Promise.reject(new Error('inner')))).rejects.toThrow('inner');
    await expect(withFileLock(file, 1000, async () => 'ok')).resolves.toBe('ok');
  });

  it('gives up with TryAgainLater while another process holds it', async () => {
    const file = path.join(dir, 'held');
    const holder = spawn('flock', ['-x', file, '-c', 'echo held; sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((r) => holder.stdout.once('data', r));
      await expect(withFileLock(file, 300, async () => 'never')).rejects.toMatchObject({ code: ErrorCode.TryAgainLater });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
