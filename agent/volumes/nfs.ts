/**
 * NFS PersistentVolumes on this node (spec.nfs {server, path, readOnly}, static or made by the
 * tugboat.dev/nfs provisioner). Each volume is mounted once per node at
 *
 *   <dataDir>/nfs/<pv name>        mount -t nfs SERVER:PATH (ro when spec.nfs.readOnly)
 *
 * and bind-mounted from there into the containers of every pod on the node that uses it. Which
 * pods use which NFS volume is recorded in each pod's directory (`<podDir>/nfs-volumes`, one PV
 * name a line), so the count survives an agent restart: once the last pod using a volume is torn
 * down, the volume is unmounted. For volumes of the provisioner (annotation
 * pv.kubernetes.io/provisioned-by: tugboat.dev/nfs) the sub-directory is made first, by mounting
 * the parent export for a moment.
 *
 * Where the node has no NFS client (no mount.nfs executable) nothing is mounted: setUp rejects
 * with a message saying what is missing and how to install it, which the pod sync turns into a
 * FailedMount event, and the pod waits. The OS boundary (finding mount.nfs, mount, umount) is
 * NfsHost; createNfsHost is its one real implementation.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { ANN, NFS_PROVISIONER } from '../../control-plane/api/storage.js';

const run = promisify(execFile);

/** The file in a pod's directory naming the NFS volumes the pod uses. */
export const POD_NFS_RECORD = 'nfs-volumes';

export interface NfsHost {
  /** The path of the mount.nfs helper, or undefined when the node has none. Never rejects. */
  nfsClient(): Promise<string | undefined>;
  /** Directories searched for the helper (for messages). */
  readonly searched: readonly string[];
  /** `mount -t nfs [-o options] source target`; rejects with mount's stderr. Not idempotent: check isMountPoint first. */
  mount(source: string, target: string, options: readonly string[]): Promise<void>;
  /** Unmounts `target` (lazily when busy). Not a mount point: no-op. */
  unmount(target: string): Promise<void>;
  isMountPoint(dir: string): Promise<boolean>;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescapeMountPath = (field: string) => field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Where mount(8) looks for its mount.nfs helper (and where nfs-common / nfs-utils put it). */
export const MOUNT_HELPER_DIRS: readonly string[] = ['/sbin', '/usr/sbin', '/usr/local/sbin'];

/** The real NfsHost: looks for mount.nfs in `dirs` (default MOUNT_HELPER_DIRS), runs mount(8)/umount(8). */
export function createNfsHost(opts: { dirs?: readonly string[] } = {}): NfsHost {
  const searched = [...(opts.dirs ?? MOUNT_HELPER_DIRS)];
  const mountPoints = async () =>
    (await readFile('/proc/self/mountinfo', 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''));
  const isMountPoint = async (dir: string) => (await mountPoints()).includes(path.resolve(dir));
  return {
    searched,
    async nfsClient() {
      for (const dir of searched) {
        const p = path.join(dir, 'mount.nfs');
        try {
          await access(p, constants.X_OK);
          return p;
        } catch {
          // not here
        }
      }
      return undefined;
    },
    async mount(source, target, options) {
      try {
        await run('mount', ['-t', 'nfs', ...(options.length ? ['-o', options.join(',')] : []), source, target], { timeout: 120_000 });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error((e.stderr || e.message).trim());
      }
    },
    async unmount(target) {
      if (!(await isMountPoint(target))) return;
      try {
        await run('umount', [target]);
      } catch {
        await run('umount', ['-l', target]);
      }
    },
    isMountPoint,
  };
}

export type NfsMountPlan =
  /** The node cannot mount it; `message` says why and what to do. */
  | { kind: 'refuse'; message: string }
  /**
   * Mount `source` at the volume's directory with `options`; first, when `makeDir` is set, mount
   * `makeDir.parent` and create `makeDir.name` in it.
   */
  | { kind: 'mount'; source: string; options: string[]; makeDir?: { parent: string; name: string } };

/**
 * How this node mounts NFS volume `pv` (pure): refused when `client` (the mount.nfs path) is
 * undefined, with the install hint; otherwise the source `server:path`, options (ro when
 * spec.nfs.readOnly, then the volume's mountOptions), and, for volumes of the provisioner, the
 * parent export and sub-directory to create.
 */
export function nfsMountPlan(pv: any, node: string, client: string | undefined, searched: readonly string[] = []): NfsMountPlan {
  const name = pv?.metadata?.name ?? '';
  const nfs = pv?.spec?.nfs;
  if (!nfs?.server || !nfs?.path) return { kind: 'refuse', message: `NFS volume ${name} has no spec.nfs.server or spec.nfs.path` };
  if (!client) {
    return {
      kind: 'refuse',
      message:
        `NFS volume ${name} (${nfs.server}:${nfs.path}) needs an NFS client on node ${node}: no mount.nfs executable found` +
        (searched.length ? ` (looked in ${searched.join(', ')})` : '') +
        `; install nfs-common (Debian/Ubuntu) or nfs-utils (Fedora/RHEL) on the node and retry`,
    };
  }
  const options = [...(nfs.readOnly ? ['ro'] : []), ...((pv.spec?.mountOptions ?? []) as string[])];
  const source = `${nfs.server}:${nfs.path}`;
  if (pv.metadata?.annotations?.[ANN.provisionedBy] === NFS_PROVISIONER && !nfs.readOnly) {
    const parent = path.posix.dirname(nfs.path);
    return { kind: 'mount', source, options, makeDir: { parent: `${nfs.server}:${parent}`, name: path.posix.basename(nfs.path) } };
  }
  return { kind: 'mount', source, options };
}

/**
 * The NFS volumes to unmount (pure): those mounted here that no pod's record names.
 * `records` maps pod uid → the volumes it uses.
 */
export function unusedNfsMounts(mounted: readonly string[], records: ReadonlyMap<string, readonly string[]>): string[] {
  const used = new Set([...records.values()].flat());
  return mounted.filter((pv) => !used.has(pv)).sort();
}

export interface NfsVolumes {
  /**
   * Mounts NFS volume `pv` on the node (once; later calls find it mounted), records that pod
   * `podUid` uses it, and returns the host directory to bind into the pod. Rejects with the reason
   * for a FailedMount event (no NFS client, mount failed). Blocking while mount runs.
   */
  setUp(podUid: string, podDirectory: string, pv: any): Promise<string>;
  /** The volumes pod directory `podDirectory` records (read before the directory is removed). */
  recorded(podDirectory: string): Promise<string[]>;
  /** Unmounts those of `candidates` that no pod on the node records any more. Idempotent. */
  releaseUnused(candidates: readonly string[]): Promise<void>;
}

export interface NfsVolumesDeps {
  dataDir: string;
  nodeName: string;
  host: NfsHost;
  logger: Logger;
}

export function nfsVolumeDir(dataDir: string, pvName: string): string {
  return path.join(dataDir, 'nfs', pvName);
}

export function createNfsVolumes(deps: NfsVolumesDeps): NfsVolumes {
  const log = deps.logger.child({ component: 'nfs-volumes' });
  // One mount or unmount of a volume at a time (pods on several workers share a volume).
  const locks = new Map<string, Promise<unknown>>();
  const withLock = <T>(pv: string, fn: () => Promise<T>): Promise<T> => {
    const prev = locks.get(pv) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    locks.set(pv, settled);
    void settled.then(() => locks.get(pv) === settled && locks.delete(pv));
    return next;
  };

  const recorded = async (podDirectory: string): Promise<string[]> => {
    try {
      return (await readFile(path.join(podDirectory, POD_NFS_RECORD), 'utf8')).split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };

  async function allRecords(): Promise<Map<string, string[]>> {
    const podsDir = path.join(deps.dataDir, 'pods');
    const out = new Map<string, string[]>();
    const entries = await readdir(podsDir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) out.set(e.name, await recorded(path.join(podsDir, e.name)));
    return out;
  }

  async function mountOnce(pv: any): Promise<string> {
    const name: string = pv.metadata.name;
    const target = nfsVolumeDir(deps.dataDir, name);
    if (await deps.host.isMountPoint(target)) return target;
    const plan = nfsMountPlan(pv, deps.nodeName, await deps.host.nfsClient(), deps.host.searched);
    if (plan.kind === 'refuse') throw new Error(plan.message);
    await mkdir(target, { recursive: true });
    if (plan.makeDir) {
      const parentDir = `${target}.parent`;
      await mkdir(parentDir, { recursive: true });
      await deps.host.mount(plan.makeDir.parent, parentDir, plan.options);
      try {
        await mkdir(path.join(parentDir, plan.makeDir.name), { recursive: true, mode: 0o777 });
      } finally {
        await deps.host.unmount(parentDir);
        await rmdir(parentDir).catch(() => undefined);
      }
    }
    await deps.host.mount(plan.source, target, plan.options);
    log.info({ volume: name, source: plan.source, target }, 'NFS volume mounted');
    return target;
  }

  return {
    async setUp(podUid, podDirectory, pv) {
      const name: string = pv.metadata.name;
      return withLock(name, async () => {
        const target = await mountOnce(pv);
        const mine = await recorded(podDirectory);
        if (!mine.includes(name)) {
          await mkdir(podDirectory, { recursive: true });
          await writeFile(path.join(podDirectory, POD_NFS_RECORD), [...mine, name].join('\n') + '\n');
        }
        log.debug({ pod: podUid, volume: name }, 'NFS volume in use by pod');
        return target;
      });
    },
    recorded,
    async releaseUnused(candidates) {
      for (const name of candidates) {
        await withLock(name, async () => {
          if (unusedNfsMounts([name], await allRecords()).length === 0) return;
          const target = nfsVolumeDir(deps.dataDir, name);
          await deps.host.unmount(target);
          await rmdir(target).catch(() => undefined);
          log.info({ volume: name, target }, 'NFS volume unmounted: no pod on this node uses it');
        });
      }
    },
  };
}
