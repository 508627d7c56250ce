import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNfsHost, createNfsVolumes, nfsMountPlan, nfsVolumeDir, POD_NFS_RECORD, unusedNfsMounts, type NfsHost } from './nfs.js';

const pv = (name: string, nfs: any, more: { provisioned?: boolean; mountOptions?: string[] } = {}) => ({
  metadata: { name, annotations: more.provisioned ? { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/nfs' } : {} },
  spec: { nfs, mountOptions: more.mountOptions },
});

describe('nfsMountPlan', () => {
  const cases: { name: string; pv: any; client?: string; want: any }[] = [
    {
      name: 'no NFS client: refused with what to install',
      pv: pv('pvc-1', { server: 'files', path: '/export/a' }),
      want: {
        kind: 'refuse',
        message: 'NFS volume pvc-1 (files:/export/a) needs an NFS client on node n1: no mount.nfs executable found (looked in /sbin, /usr/sbin); install nfs-common (Debian/Ubuntu) or nfs-utils (Fedora/RHEL) on the node and retry',
      },
    },
    { name: 'static volume', pv: pv('a', { server: '10.0.0.5', path: '/srv' }), client: '/sbin/mount.nfs', want: { kind: 'mount', source: '10.0.0.5:/srv', options: [] } },
    { name: 'read-only with mountOptions', pv: pv('a', { server: 's', path: '/srv', readOnly: true }, { mountOptions: ['nfsvers=4.1'] }), client: '/sbin/mount.nfs', want: { kind: 'mount', source: 's:/srv', options: ['ro', 'nfsvers=4.1'] } },
    {
      name: 'provisioned volume: its sub-directory is made in the parent export',
      pv: pv('pvc-2', { server: 's', path: '/exports/team/default-data-pvc-2' }, { provisioned: true }),
      client: '/sbin/mount.nfs',
      want: { kind: 'mount', source: 's:/exports/team/default-data-pvc-2', options: [], makeDir: { parent: 's:/exports/team', name: 'default-data-pvc-2' } },
    },
    { name: 'no server', pv: pv('b', { path: '/srv' }), client: '/sbin/mount.nfs', want: { kind: 'refuse', message: 'NFS volume b has no spec.nfs.server or spec.nfs.path' } },
  ];
  for (const c of cases) it(c.name, () => expect(nfsMountPlan(c.pv, 'n1', c.client, ['/sbin', '/usr/sbin'])).toEqual(c.want));
});

describe('unusedNfsMounts', () => {
  const cases: { name: string; mounted: string[]; records: [string, string[]][]; want: string[] }[] = [
    { name: 'nothing mounted', mounted: [], records: [['p1', ['a']]], want: [] },
    { name: 'still used by another pod', mounted: ['a'], records: [['p2', ['a']]], want: [] },
    { name: 'last user gone', mounted: ['a', 'b'], records: [['p2', ['a']], ['p3', []]], want: ['b'] },
    { name: 'no pods at all', mounted: ['b', 'a'], records: [], want: ['a', 'b'] },
  ];
  for (const c of cases) it(c.name, () => expect(unusedNfsMounts(c.mounted, new Map(c.records))).toEqual(c.want));
});

describe('createNfsHost (real)', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'tug-nfs-host-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds an executable mount.nfs and nothing where there is none', async () => {
    const empty = path.join(dir, 'empty');
    const full = path.join(dir, 'full');
    await mkdir(empty);
    await mkdir(full);
    expect(await createNfsHost({ dirs: [empty] }).nfsClient()).toBeUndefined();
    await writeFile(path.join(full, 'mount.nfs'), '#!/bin/sh\nexit 1\n');
    expect(await createNfsHost({ dirs: [empty, full] }).nfsClient()).toBeUndefined(); // not executable
    await chmod(path.join(full, 'mount.nfs'), 0o755);
    expect(await createNfsHost({ dirs: [empty, full] }).nfsClient()).toBe(path.join(full, 'mount.nfs'));
    expect(await createNfsHost({ dirs: [dir] }).isMountPoint(dir)).toBe(false);
  });
});

/** An NfsHost that records mounts instead of making them (the decisions around them are what is tested). */
function fakeHost(client: string | undefined) {
  const mounted = new Set<string>();
  const calls: string[] = [];
  const host: NfsHost = {
    searched: ['/sbin'],
    nfsClient: async () => client,
    mount: async (source, target, options) => {
      calls.push(`mount ${source} ${path.basename(target)}${options.length ? ' -o ' + options.join(',') : ''}`);
      mounted.add(target);
    },
    unmount: async (target) => {
      if (mounted.delete(target)) calls.push(`umount ${path.basename(target)}`);
    },
    isMountPoint: async (d) => mounted.has(d),
  };
  return { host, calls };
}

describe('createNfsVolumes', () => {
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-nfs-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));
  const podDir = (uid: string) => path.join(dataDir, 'pods', uid);
  const logger = pino({ level: 'silent' });

  it('mounts a volume once per node, records its pods, and unmounts after the last one', async () => {
    const { host, calls } = fakeHost('/sbin/mount.nfs');
    const nfs = createNfsVolumes({ dataDir, nodeName: 'n1', host, logger });
    const a = pv('a', { server: 's', path: '/srv' });
    expect(await nfs.setUp('p1', podDir('p1'), a)).toBe(nfsVolumeDir(dataDir, 'a'));
    await Promise.all([nfs.setUp('p2', podDir('p2'), a), nfs.setUp('p1', podDir('p1'), a)]);
    expect(calls).toEqual(['mount s:/srv a']);
    expect(await readFile(path.join(podDir('p1'), POD_NFS_RECORD), 'utf8')).toBe('a\n');

    await rm(podDir('p1'), { recursive: true });
    await nfs.releaseUnused(['a']);
    expect(calls).toEqual(['mount s:/srv a']); // p2 still uses it
    expect(await nfs.recorded(podDir('p2'))).toEqual(['a']);
    await rm(podDir('p2'), { recursive: true });
    await nfs.releaseUnused(['a']);
    expect(calls).toEqual(['mount s:/srv a', 'umount a']);
  });

  it('makes the sub-directory of a provisioned volume through its parent export', async () => {
    const { host, calls } = fakeHost('/sbin/mount.nfs');
    const nfs = createNfsVolumes({ dataDir, nodeName: 'n1', host, logger });
    await nfs.setUp('p1', podDir('p1'), pv('pvc-9', { server: 's', path: '/e/default-c-pvc-9' }, { provisioned: true }));
    expect(calls).toEqual(['mount s:/e pvc-9.parent', 'umount pvc-9.parent', 'mount s:/e/default-c-pvc-9 pvc-9']);
  });

  it('refuses without an NFS client and records nothing', async () => {
    const { host, calls } = fakeHost(undefined);
    const nfs = createNfsVolumes({ dataDir, nodeName: 'n1', host, logger });
    await expect(nfs.setUp('p1', podDir('p1'), pv('pvc-1', { server: 's', path: '/srv' }))).rejects.toThrow(
      'NFS volume pvc-1 (s:/srv) needs an NFS client on node n1: no mount.nfs executable found (looked in /sbin); install nfs-common (Debian/Ubuntu)',
    );
    expect(calls).toEqual([]);
    expect(await nfs.recorded(podDir('p1'))).toEqual([]);
  });
});
