/**
 * hostPath volumes: the host path itself, after the type check of `hostPath.type` as upstream
 * (DirectoryOrCreate and FileOrCreate create what is missing; Directory, File, Socket, CharDevice
 * and BlockDevice must already be one; "" checks nothing).
 */
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import type { HostPathVolumeSource } from 'kubernetes-types/core/v1.js';

async function statOf(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

const KINDS: Record<string, { is: (s: Stats) => boolean; what: string }> = {
  Directory: { is: (s) => s.isDirectory(), what: 'a directory' },
  File: { is: (s) => s.isFile(), what: 'a file' },
  Socket: { is: (s) => s.isSocket(), what: 'a socket file' },
  CharDevice: { is: (s) => s.isCharacterDevice(), what: 'a character device' },
  BlockDevice: { is: (s) => s.isBlockDevice(), what: 'a block device' },
};

/** Checks (and for the *OrCreate types creates) the path; resolves with it; rejects with upstream's message. */
export async function setUpHostPath(source: HostPathVolumeSource): Promise<string> {
  const p = path.resolve(source.path);
  const type = source.type ?? '';
  if (type === '') return p;
  const current = await statOf(p);
  if (type === 'DirectoryOrCreate' && !current) {
    await mkdir(p, { recursive: true, mode: 0o755 });
    return p;
  }
  if (type === 'FileOrCreate' && !current && !(await lstat(p).catch(() => undefined))) {
    await mkdir(path.dirname(p), { recursive: true, mode: 0o755 });
    await (await open(p, 'a', 0o644)).close();
    return p;
  }
  const kind = KINDS[type.replace(/OrCreate$/, '')];
  if (!kind) throw new Error(`invalid HostPathType ${JSON.stringify(type)}`);
  if (!current || !kind.is(current)) throw new Error(`hostPath type check failed: ${p} is not ${kind.what}`);
  return p;
}
