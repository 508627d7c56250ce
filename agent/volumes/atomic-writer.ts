/**
 * Writes a set of files into a volume directory so that readers never see a half-updated set, as
 * upstream's AtomicWriter does:
 *
 *   <dir>/..2024_05_01_10_00_00.123456/   the files of one version (timestamped directory)
 *   <dir>/..data -> ..2024_05_01_…        the current version (a symlink swapped by rename)
 *   <dir>/<key>  -> ..data/<key>          user-visible names (one per top-level path)
 *
 * A new version is written next to the old one, `..data` is switched with one rename, then names
 * gone from the payload are removed, and the old version last. Writing an unchanged payload
 * changes nothing.
 */
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

export interface WriteOptions {
  /** Group owning the files (pod.spec.securityContext.fsGroup). */
  fsGroup?: number;
}

const DATA = '..data';
const DATA_TMP = '..data_tmp';

/** Checks a payload path as upstream: relative, no `..` element, not starting with `..`. Returns it normalized. */
export function validatePayloadPath(p: string): string {
  if (p === '' || path.isAbsolute(p)) throw new Error(`invalid path ${JSON.stringify(p)}: must be a non-empty relative path`);
  if (p.startsWith('..')) throw new Error(`invalid path ${JSON.stringify(p)}: must not start with '..'`);
  if (p.split('/').includes('..')) throw new Error(`invalid path ${JSON.stringify(p)}: must not contain '..'`);
  return path.posix.normalize(p).replace(/^\.\//, '').replace(/\/$/, '');
}

function timestampName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Every file path (relative) below `dir`. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** Whether the version in `versionDir` holds exactly `payload`. */
async function sameContent(versionDir: string, payload: Map<string, FileProjection>, opts: WriteOptions): Promise<boolean> {
  try {
    const files = await listFiles(versionDir);
    if (files.length !== payload.size || files.some((f) => !payload.has(f))) return false;
    for (const [rel, file] of payload) {
      const full = path.join(versionDir, rel);
      const st = await stat(full);
      if ((st.mode & 0o7777) !== file.mode) return false;
      if (opts.fsGroup !== undefined && st.gid !== opts.fsGroup) return false;
      if (!(await readFile(full)).equals(file.data)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `dir` hold `payload` (relative path → content and mode). Resolves true when it wrote a new
 * version. Rejects on an invalid path. Safe to call concurrently only for different directories.
 */
export async function writeAtomic(dir: string, files: Map<string, FileProjection>, opts: WriteOptions = {}, now: Date = new Date()): Promise<boolean> {
  const payload = new Map([...files].map(([p, f]) => [validatePayloadPath(p), f]));
  await mkdir(dir, { recursive: true });
  const dataLink = path.join(dir, DATA);
  const oldVersion = await readlink(dataLink).catch(() => undefined);
  const topLevel = new Set([...payload.keys()].map((p) => p.split('/')[0]!));

  if (oldVersion && (await sameContent(path.join(dir, oldVersion), payload, opts))) {
    await linkNames(dir, topLevel);
    return false;
  }

  const version = await mkdtemp(path.join(dir, timestampName(now)));
  await chmod(version, 0o755);
  for (const [rel, file] of payload) {
    const full = path.join(version, rel);
    await mkdir(path.dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, file.data);
    if (opts.fsGroup !== undefined) await chown(full, -1, opts.fsGroup);
    await chmod(full, file.mode);
  }
  const tmpLink = path.join(dir, DATA_TMP);
  await rm(tmpLink, { force: true });
  await symlink(path.basename(version), tmpLink);
  await rename(tmpLink, dataLink);

  await linkNames(dir, topLevel);
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('..') || topLevel.has(entry)) continue;
    const target = await readlink(path.join(dir, entry)).catch(() => undefined);
    if (target?.startsWith(`${DATA}/`)) await rm(path.join(dir, entry), { force: true });
  }
  if (oldVersion && oldVersion !== path.basename(version)) await rm(path.join(dir, oldVersion), { recursive: true, force: true });
  return true;
}

/** The user-visible symlinks `<name> -> ..data/<name>`. */
async function linkNames(dir: string, names: Set<string>): Promise<void> {
  for (const name of names) {
    const link = path.join(dir, name);
    if (!(await exists(link))) await symlink(`${DATA}/${name}`, link);
  }
}
