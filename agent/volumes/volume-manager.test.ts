import { mkdir, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pod } from '../pods/testing/fixtures.js';
import { createMounter } from './mounter.js';
import { createNfsVolumes, nfsVolumeDir, type NfsHost } from './nfs.js';
import type { ConfigSource } from './sources.js';
import { createVolumeManager, podDir, VolumeSetupError, type VolumeManager } from './volume-manager.js';

let dataDir: string;
let manager: VolumeManager;
const mounter = createMounter();
const data: Record<string, string> = { key: 'one' };
const sources: ConfigSource = {
  configMap: async (_ns, name) => (name === 'cm' ? { metadata: { name }, data: { ...data } } : undefined),
  secret: async (_ns, name) => (name === 's' ? { metadata: { name }, data: { token: Buffer.from('t0k').toString('base64') } } : undefined),
};
const ctx = { addresses: { podIPs: ['10.0.0.9'], hostIPs: [] }, allocatable: { cpuMilli: 1000, memoryBytes: 2 ** 30, ephemeralStorageBytes: 0 } };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tug-volumes-'));
  manager = createVolumeManager({ dataDir, sources, mounter, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  for (const m of await mounter.mountsUnder(dataDir)) await mounter.unmount(m);
  await rm(dataDir, { recursive: true, force: true });
});

const withVolumes = (uid: string, volumes: NonNullable<Pod['spec']>['volumes']): Pod => pod({ volumes }, { metadata: { name: 'p', namespace: 'default', uid } });

describe('volume manager', () => {
  it('lays volumes out as the kubelet does, secrets and memory emptyDirs on tmpfs, and removes them', async () => {
    const p = withVolumes('uid-a', [
      { name: 'scratch', emptyDir: {} },
      { name: 'fast', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
      { name: 'cfg', configMap: { name: 'cm' } },
      { name: 'sec', secret: { secretName: 's' } },
      { name: 'info', downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } },
      { name: 'all', projected: { sources: [{ configMap: { name: 'cm' } }, { secret: { name: 's' } }, { serviceAccountToken: { path: 'token' } }] } },
    ]);
    const { volumes, warnings } = await manager.setUp(p, ctx);
    const root = path.join(podDir(dataDir, 'uid-a'), 'volumes');
    expect(Object.fromEntries([...volumes].map(([k, v]) => [k, [path.relative(root, v.hostPath), v.readOnly]]))).toEqual({
      scratch: ['kubernetes.io~empty-dir/scratch', false],
      fast: ['kubernetes.io~empty-dir/fast', false],
      cfg: ['kubernetes.io~configmap/cfg', true],
      sec: ['kubernetes.io~secret/sec', true],
      info: ['kubernetes.io~downward-api/info', true],
      all: ['kubernetes.io~projected/all', true],
    });
    expect(warnings).toEqual([{ volume: 'all', message: 'projected volume "all": serviceAccountToken sources are not supported by this node; their files are left out' }]);
    expect((await stat(volumes.get('scratch')!.hostPath)).mode & 0o777).toBe(0o777);
    expect(await readFile(path.join(volumes.get('cfg')!.hostPath, 'key'), 'utf8')).toBe('one');
    expect(await readFile(path.join(volumes.get('sec')!.hostPath, 'token'), 'utf8')).toBe('t0k');
    expect(await readFile(path.join(volumes.get('info')!.hostPath, 'ip'), 'utf8')).toBe('10.0.0.9');
    expect(await readFile(path.join(volumes.get('all')!.hostPath, 'token'), 'utf8')).toBe('t0k');
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    expect(mounts).toContain(`tmpfs ${volumes.get('sec')!.hostPath} tmpfs`);
    expect(mounts).toContain(`tmpfs ${volumes.get('all')!.hostPath} tmpfs`);
    expect(mounts).toMatch(new RegExp(`tmpfs ${volumes.get('fast')!.hostPath} tmpfs \\S*size=8192k`));

    // Again: idempotent, and data changes arrive through a new ..data.
    const before = await readlink(path.join(volumes.get('cfg')!.hostPath, '..data'));
    data.key = 'two';
    await manager.setUp(p, ctx);
    expect(await readFile(path.join(volumes.get('cfg')!.hostPath, 'key'), 'utf8')).toBe('two');
    expect(await readlink(path.join(volumes.get('cfg')!.hostPath, '..data'))).not.toBe(before);
    expect((await mounter.mountsUnder(podDir(dataDir, 'uid-a'))).length).toBe(3);

    expect(await manager.knownPods()).toContain('uid-a');
    await manager.tearDown('uid-a');
    expect(await mounter.mountsUnder(podDir(dataDir, 'uid-a'))).toEqual([]);
    await expect(stat(podDir(dataDir, 'uid-a'))).rejects.toThrow();
    await manager.tearDown('uid-a');
  });

  it('reports every volume that fails, sets up the rest, and accepts optional missing sources', async () => {
    const p = withVolumes('uid-b', [
      { name: 'ok', emptyDir: {} },
      { name: 'missing-cm', configMap: { name: 'nope' } },
      { name: 'missing-secret', secret: { secretName: 'nope' } },
      { name: 'optional', configMap: { name: 'nope', optional: true } },
      { name: 'bad-key', configMap: { name: 'cm', items: [{ key: 'absent', path: 'x' }] } },
      { name: 'claim', persistentVolumeClaim: { claimName: 'data' } },
    ]);
    const err = await manager.setUp(p, ctx).then(() => undefined, (e: unknown) => e as VolumeSetupError);
    expect(err).toBeInstanceOf(VolumeSetupError);
    expect(err!.failures).toEqual([
      { volume: 'missing-cm', message: 'configmap "nope" not found' },
      { volume: 'missing-secret', message: 'secret "nope" not found' },
      { volume: 'bad-key', message: 'configmap references non-existent config key: absent' },
      { volume: 'claim', message: 'persistentVolumeClaim volumes are not supported by this node' },
    ]);
    await stat(path.join(podDir(dataDir, 'uid-b'), 'volumes/kubernetes.io~empty-dir/ok'));
    await manager.tearDown('uid-b');
  });

  it('mounts the volume bound to a claim, and says why while the claim is not bound', async () => {
    const local = path.join(dataDir, 'volumes', 'pvc-1');
    await mkdir(local, { recursive: true });
    const claims: Record<string, any> = {
      bound: { metadata: { name: 'bound' }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } },
      host: { metadata: { name: 'host' }, spec: { volumeName: 'hp' }, status: { phase: 'Bound' } },
      pending: { metadata: { name: 'pending' }, spec: {}, status: { phase: 'Pending' } },
      nfs: { metadata: { name: 'nfs' }, spec: { volumeName: 'nfs' }, status: { phase: 'Bound' } },
    };
    const volumes: Record<string, any> = {
      'pvc-1': { metadata: { name: 'pvc-1' }, spec: { local: { path: local } } },
      hp: { metadata: { name: 'hp' }, spec: { hostPath: { path: path.join(dataDir, 'hp'), type: 'DirectoryOrCreate' } } },
      nfs: { metadata: { name: 'nfs' }, spec: { nfs: { server: 'x', path: '/' } } },
    };
    const withClaims = createVolumeManager({ dataDir, sources, claims: { claim: async (_ns, n) => claims[n], volume: async (n) => volumes[n] }, mounter, logger: pino({ level: 'silent' }) });
    const ok = await withClaims.setUp(withVolumes('uid-c', [{ name: 'a', persistentVolumeClaim: { claimName: 'bound', readOnly: true } }, { name: 'b', persistentVolumeClaim: { claimName: 'host' } }]), ctx);
    expect(ok.volumes.get('a')).toEqual({ hostPath: local, readOnly: true });
    expect(ok.volumes.get('b')).toEqual({ hostPath: path.join(dataDir, 'hp'), readOnly: false });
    const err = await withClaims
      .setUp(withVolumes('uid-d', [{ name: 'p', persistentVolumeClaim: { claimName: 'pending' } }, { name: 'm', persistentVolumeClaim: { claimName: 'missing' } }, { name: 'n', persistentVolumeClaim: { claimName: 'nfs' } }]), ctx)
      .then(() => undefined, (e: unknown) => e as VolumeSetupError);
    expect(err!.failures.map((f) => f.message)).toEqual([
      "error processing PVC default/pending: PVC is not bound (phase Pending); see the claim's events (kubectl describe pvc pending)",
      'error processing PVC default/missing: persistentvolumeclaim "missing" not found',
      'persistentvolume "nfs" of type nfs is not supported by this node (local and hostPath are)',
    ]);
    await withClaims.tearDown('uid-c');
    await withClaims.tearDown('uid-d');
  });

  it('binds an NFS claim volume from its node-wide mount and unmounts it with the last pod', async () => {
    const mounted = new Set<string>();
    const calls: string[] = [];
    const host: NfsHost = {
      searched: ['/sbin'],
      nfsClient: async () => '/sbin/mount.nfs',
      mount: async (source, target) => void (calls.push(`mount ${source}`), mounted.add(target)),
      unmount: async (target) => void (mounted.delete(target) && calls.push(`umount ${path.basename(target)}`)),
      isMountPoint: async (d) => mounted.has(d),
    };
    const nfs = createNfsVolumes({ dataDir, nodeName: 'n1', host, logger: pino({ level: 'silent' }) });
    const claim = { metadata: { name: 'shared' }, spec: { volumeName: 'pvc-n' }, status: { phase: 'Bound' } };
    const pv = { metadata: { name: 'pvc-n' }, spec: { nfs: { server: 's', path: '/srv', readOnly: true } } };
    const m = createVolumeManager({ dataDir, sources, claims: { claim: async () => claim, volume: async () => pv }, nfs, mounter, logger: pino({ level: 'silent' }) });
    const vol = [{ name: 'd', persistentVolumeClaim: { claimName: 'shared' } }];
    const a = await m.setUp(withVolumes('uid-n1', vol), ctx);
    await m.setUp(withVolumes('uid-n2', vol), ctx);
    expect(a.volumes.get('d')).toEqual({ hostPath: nfsVolumeDir(dataDir, 'pvc-n'), readOnly: true });
    await m.tearDown('uid-n1');
    expect(calls).toEqual(['mount s:/srv']);
    await m.tearDown('uid-n2');
    expect(calls).toEqual(['mount s:/srv', 'umount pvc-n']);
  });
});
