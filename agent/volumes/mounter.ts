/**
 * The mounts volumes need (an OS boundary): tmpfs for memory-backed emptyDirs, secrets and
 * projected volumes, and their removal. The real implementation runs mount(8)/umount(8) and reads
 * /proc/self/mountinfo.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Mounter {
  /** Mounts a tmpfs at the existing directory `dir` (size in bytes, 0 = the kernel's default). Already a mount point: no-op. */
  mountTmpfs(dir: string, sizeBytes: number): Promise<void>;
  /** Unmounts `dir` (lazily when busy). Not a mount point: no-op. */
  unmount(dir: string): Promise<void>;
  /** Mount points at or below `dir`, deepest first. */
  mountsUnder(dir: string): Promise<string[]>;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''));
}

export function createMounter(): Mounter {
  const isMountPoint = async (dir: string) => (await mountPoints()).includes(path.resolve(dir));
  return {
    async mountTmpfs(dir, sizeBytes) {
      if (await isMountPoint(dir)) return;
      const options = ['mode=0755', ...(sizeBytes > 0 ? [`size=${sizeBytes}`] : [])].join(',');
      await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    },
    async unmount(dir) {
      if (!(await isMountPoint(dir))) return;
      try {
        await run('umount', [dir]);
      } catch {
        await run('umount', ['-l', dir]);
      }
    },
    async mountsUnder(dir) {
      const root = path.resolve(dir);
      return (await mountPoints())
        .filter((m) => m === root || m.startsWith(root + '/'))
        .sort((a, b) => b.length - a.length);
    },
  };
}
