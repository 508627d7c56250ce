/** Chooses the PodCgroups implementation of this host's cgroup version. */
import { access, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_CGROUP_ROOT, type PodCgroups } from './pod-cgroups.js';
import { createV1PodCgroups } from './v1.js';
import { createV2PodCgroups } from './v2.js';

export * from './pod-cgroups.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** 2 when `root` is a cgroup2 mount (or looks like one: cgroup.controllers at the top), else 1. */
export async function detectCgroupVersion(root: string = DEFAULT_CGROUP_ROOT): Promise<1 | 2> {
  try {
    if ((await statfs(root)).type === CGROUP2_SUPER_MAGIC) return 2;
  } catch {
    // Not mounted or not a directory: fall through to the file check.
  }
  try {
    await access(path.join(root, 'cgroup.controllers'));
    return 2;
  } catch {
    return 1;
  }
}

export interface PodCgroupsOptions {
  /** Where the cgroup filesystem(s) are mounted; default /sys/fs/cgroup. */
  root?: string;
  logger: Logger;
}

/** The PodCgroups of this host's cgroup version. */
export async function createPodCgroups(opts: PodCgroupsOptions): Promise<PodCgroups> {
  const root = opts.root ?? DEFAULT_CGROUP_ROOT;
  const log = opts.logger.child({ component: 'cgroups' });
  const version = await detectCgroupVersion(root);
  log.info({ root, version }, 'cgroup version detected');
  return version === 2 ? createV2PodCgroups(root, log) : createV1PodCgroups(root, log);
}
