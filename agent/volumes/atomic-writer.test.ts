import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePayloadPath, writeAtomic, type FileProjection } from './atomic-writer.js';

let dir: string;
beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'tug-atomic-')), 'vol');
});
afterEach(async () => {
  await rm(path.dirname(dir), { recursive: true, force: true });
});

const files = (entries: Record<string, string | [string, number]>) =>
  new Map<string, FileProjection>(Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]));

const versions = async () => (await readdir(dir)).filter((e) => /^\.\.\d{4}_/.test(e));

describe('atomic writer', () => {
  it('writes a timestamped version, ..data pointing at it, and one link per top-level name', async () => {
    expect(await writeAtomic(dir, files({ a: 'A', 'sub/b': ['B', 0o600] }), {}, new Date('2024-05-01T10:00:00Z'))).toBe(true);
    const [version] = await versions();
    expect(version).toMatch(/^\.\.2024_05_01_10_00_00\./);
    expect(await readlink(path.join(dir, '..data'))).toBe(version);
    expect(await readlink(path.join(dir, 'a'))).toBe('..data/a');
    expect(await readlink(path.join(dir, 'sub'))).toBe('..data/sub');
    expect(await readFile(path.join(dir, 'sub/b'), 'utf8')).toBe('B');
    expect((await stat(path.join(dir, 'sub/b'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, version!))).mode & 0o777).toBe(0o755);
  });

  it('changes nothing for the same payload', async () => {
    await writeAtomic(dir, files({ a: 'A' }));
    const before = await versions();
    expect(await writeAtomic(dir, files({ a: 'A' }))).toBe(false);
    expect(await versions()).toEqual(before);
  });

  it('swaps to a new version on change, removing names gone and the old version', async () => {
    await writeAtomic(dir, files({ a: 'A', b: 'B' }));
    const [old] = await versions();
    expect(await writeAtomic(dir, files({ a: 'A2', c: ['C', 0o400] }))).toBe(true);
    const [now] = await versions();
    expect(now).not.toBe(old);
    expect((await readdir(dir)).sort()).toEqual(['..data', now, 'a', 'c'].sort());
    expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('A2');
    await expect(lstat(path.join(dir, 'b'))).rejects.toThrow();
    // A mode change alone is a change.
    expect(await writeAtomic(dir, files({ a: 'A2', c: ['C', 0o440] }))).toBe(true);
  });

  it.each([['/abs'], ['..x'], ['a/../b'], ['']])('refuses the path %j', (p) => {
    expect(() => validatePayloadPath(p)).toThrow(/invalid path/);
  });
});
