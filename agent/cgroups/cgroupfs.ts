/** File operations on a cgroup filesystem, shared by the v1 and v2 implementations. */
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** The directories from below `base` down to `base`+`rel`, outermost first. */
export function levels(base: string, rel: string): string[] {
  const parts = rel.split('/').filter(Boolean);
  return parts.map((_, i) => path.join(base, ...parts.slice(0, i + 1)));
}

/** mkdir of one level; false when it already existed. */
export async function ensureDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  }
}

export async function readValue(dir: string, file: string): Promise<string> {
  return (await readFile(path.join(dir, file), 'utf8')).trim();
}

/** Writes one control file, naming the file and value when the kernel refuses. */
export async function writeValue(dir: string, file: string, value: string | number): Promise<void> {
  try {
    await writeFile(path.join(dir, file), String(value));
  } catch (err) {
    throw new Error(`cannot write ${value} to ${path.join(dir, file)}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * rmdir of a cgroup and its child cgroups, deepest first (control files go with their directory).
 * A missing directory is fine; one that still holds processes rejects with EBUSY.
 */
export async function removeTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) if (entry.isDirectory()) await removeTree(path.join(dir, entry.name));
  try {
    await rmdir(dir);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}
