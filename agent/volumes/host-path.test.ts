import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpHostPath } from './host-path.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tug-hostpath-'));
  await mkdir(path.join(dir, 'd'));
  await writeFile(path.join(dir, 'f'), 'x');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostPath', () => {
  it.each([
    ['', 'anything', undefined],
    ['Directory', 'd', undefined],
    ['File', 'f', undefined],
    ['Directory', 'f', 'is not a directory'],
    ['Directory', 'missing', 'is not a directory'],
    ['File', 'd', 'is not a file'],
    ['Socket', 'f', 'is not a socket file'],
    ['CharDevice', 'f', 'is not a character device'],
    ['BlockDevice', 'f', 'is not a block device'],
    ['DirectoryOrCreate', 'f', 'is not a directory'],
  ])('type %j on %s', async (type, name, error) => {
    const p = setUpHostPath({ path: path.join(dir, name), type });
    if (error) await expect(p).rejects.toThrow(`hostPath type check failed: ${path.join(dir, name)} ${error}`);
    else await expect(p).resolves.toBe(path.join(dir, name));
  });

  it('creates what the *OrCreate types ask for', async () => {
    await setUpHostPath({ path: path.join(dir, 'new/deep'), type: 'DirectoryOrCreate' });
    expect((await stat(path.join(dir, 'new/deep'))).isDirectory()).toBe(true);
    await setUpHostPath({ path: path.join(dir, 'files/f.txt'), type: 'FileOrCreate' });
    const st = await stat(path.join(dir, 'files/f.txt'));
    expect(st.isFile() && st.size === 0 && (st.mode & 0o777) === 0o644).toBe(true);
    await expect(setUpHostPath({ path: '/dev/null', type: 'CharDevice' })).resolves.toBe('/dev/null');
  });
});
