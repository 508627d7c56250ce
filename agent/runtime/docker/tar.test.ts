import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildTar, type TarEntry } from './tar.js';

const entries: TarEntry[] = [
  { type: 'dir', name: 'bin', mode: 0o755 },
  { type: 'file', name: 'bin/tool', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
  { type: 'symlink', name: 'bin/alias', target: '/bin/tool' },
  { type: 'dir', name: 'tmp/', mode: 0o1777 },
  { type: 'file', name: 'empty', mode: 0o600, data: Buffer.alloc(0) },
  { type: 'file', name: 'block', mode: 0o644, data: Buffer.alloc(512, 'x') },
];

/** Lists an archive with GNU tar: "mode owner size name[ -> target]" per entry. */
async function gnuList(archive: Buffer): Promise<string[]> {
  const child = promisify(execFile)('tar', ['--numeric-owner', '-tvf', '-'], { encoding: 'utf8' });
  child.child.stdin!.end(archive);
  const { stdout } = await child;
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, size, , , ...name] = line.split(/\s+/);
      return `${mode} ${owner} ${size} ${name.join(' ')}`;
    });
}

describe('buildTar', () => {
  it('writes an archive GNU tar reads back entry for entry', async () => {
    expect(await gnuList(buildTar(entries))).toEqual([
      'drwxr-xr-x 0/0 0 bin/',
      '-rwxr-xr-x 0/0 18 bin/tool',
      'lrwxrwxrwx 0/0 0 bin/alias -> /bin/tool',
      'drwxrwxrwt 0/0 0 tmp/',
      '-rw------- 0/0 0 empty',
      '-rw-r--r-- 0/0 512 block',
    ]);
  });

  it('is deterministic and block-aligned', () => {
    const a = buildTar(entries);
    expect(a.equals(buildTar(entries))).toBe(true);
    expect(a.length % 512).toBe(0);
  });

  it.each([
    ['name', { type: 'file', name: 'n'.repeat(100), mode: 0o644, data: Buffer.alloc(0) }],
    ['link target', { type: 'symlink', name: 'x', target: 't'.repeat(100) }],
  ] as [string, TarEntry][])('refuses a %s of 100 bytes or more', (what, entry) => {
    expect(() => buildTar([entry])).toThrow(new RegExp(`${what} too long`));
  });
});
