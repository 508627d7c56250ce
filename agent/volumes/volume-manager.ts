/**
 * The volumes of pods on this node, laid out as the kubelet lays them out:
 *
 *   <dataDir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>     emptyDir (tmpfs with medium Memory)
 *   <dataDir>/pods/<uid>/volumes/kubernetes.io~configmap/<name>     configMap files (atomic-writer.ts)
 *   <dataDir>/pods/<uid>/volumes/kubernetes.io~secret/<name>        secret files, on tmpfs
 *   <dataDir>/pods/<uid>/volumes/kubernetes.io~downward-api/<name>  downwardAPI files
 *   <dataDir>/pods/<uid>/volumes/kubernetes.io~projected/<name>     projected files, on tmpfs
 *   hostPath                                                        the host path itself
 *   persistentVolumeClaim                                           the bound volume's local.path or hostPath.path
 *                                                                   (local provisioner: <dataDir>/volumes/<pv name>)
 *                                                                   or, for NFS volumes, <dataDir>/nfs/<pv name> (nfs.ts)
 *
 * setUp() is level-based and idempotent: each call (each pod sync) rewrites the API-data volumes
 * from current ConfigMaps and Secrets, so mounted files follow changes. tearDown() unmounts and
 * removes everything of a pod.
 */
import { chmod, chown, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { parseQuantity } from '../../control-plane/api/quantity.js';
import { writeAtomic } from './atomic-writer.js';
import { setUpHostPath } from './host-path.js';
import type { Mounter } from './mounter.js';
import type { NfsVolumes } from './nfs.js';
import { configMapPayload, DEFAULT_MODE, downwardAPIPayload, secretPayload, type DownwardContext, type Payload } from './payloads.js';
import { missing, type ClaimSource, type ConfigSource } from './sources.js';

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

/** The directory of everything the agent keeps for one pod. */
export function podDir(dataDir: string, podUid: string): string {
  return path.join(dataDir, 'pods', podUid);
}

export interface MountedVolume {
  hostPath: string;
  /** API-data volumes (configMap, secret, downwardAPI, projected) are always mounted read-only. */
  readOnly: boolean;
}

export interface VolumeFailure {
  volume: string;
  message: string;
}

/** Some volumes could not be set up; the others are. */
export class VolumeSetupError extends Error {
  constructor(readonly failures: VolumeFailure[]) {
    super(failures.map((f) => `volume ${JSON.stringify(f.volume)}: ${f.message}`).join('; '));
    this.name = 'VolumeSetupError';
  }
}

export interface VolumeSetup {
  volumes: Map<string, MountedVolume>;
  /** Parts left out on purpose (e.g. serviceAccountToken sources), for a Warning event. */
  warnings: { volume: string; message: string }[];
}

export interface VolumeManager {
  /** Sets up (or refreshes) every volume of `pod`; rejects with VolumeSetupError listing each failed volume. */
  setUp(pod: Pod, ctx: DownwardContext): Promise<VolumeSetup>;
  /** Unmounts and removes the pod's directory. Idempotent. */
  tearDown(podUid: string): Promise<void>;
  /** The uids that have a directory here. */
  knownPods(): Promise<string[]>;
}

export interface VolumeManagerDeps {
  dataDir: string;
  sources: ConfigSource;
  /** Claims and volumes for persistentVolumeClaim volumes; without it such volumes fail. */
  claims?: ClaimSource;
  /** NFS volumes of claims; without it such volumes fail. */
  nfs?: NfsVolumes;
  mounter: Mounter;
  logger: Logger;
}

/** The source kind of a volume (its one set field besides `name`). */
export function volumeKind(volume: Volume): string {
  return Object.entries(volume).find(([k, v]) => k !== 'name' && v != null)?.[0] ?? 'emptyDir';
}

export function createVolumeManager(deps: VolumeManagerDeps): VolumeManager {
  const log = deps.logger.child({ component: 'volumes' });

  async function ownByGroup(dir: string, fsGroup: number | undefined): Promise<void> {
    if (fsGroup === undefined) return;
    await chown(dir, -1, fsGroup);
    await chmod(dir, 0o2777);
  }

  async function setUpOne(pod: Pod, volume: Volume, ctx: DownwardContext, warnings: VolumeSetup['warnings']): Promise<MountedVolume> {
    const uid = pod.metadata!.uid!;
    const ns = pod.metadata?.namespace ?? 'default';
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    const kind = volumeKind(volume);
    const dir = (plugin: keyof typeof PLUGIN_DIRS) => path.join(podDir(deps.dataDir, uid), 'volumes', PLUGIN_DIRS[plugin], volume.name);
    const writeFiles = async (target: string, payload: Payload, tmpfs: boolean) => {
      await mkdir(target, { recursive: true, mode: 0o755 });
      if (tmpfs) await deps.mounter.mountTmpfs(target, 0);
      if (await writeAtomic(target, payload, { fsGroup })) log.debug({ pod: `${ns}/${pod.metadata?.name}`, volume: volume.name }, 'volume files written');
      return { hostPath: target, readOnly: true };
    };

    switch (kind) {
      case 'emptyDir': {
        const target = dir('emptyDir');
        await mkdir(target, { recursive: true });
        await chmod(target, 0o777);
        if (volume.emptyDir?.medium === 'Memory') {
          const size = volume.emptyDir.sizeLimit !== undefined ? Math.ceil(parseQuantity(volume.emptyDir.sizeLimit)) : 0;
          await deps.mounter.mountTmpfs(target, size);
          await chmod(target, 0o777);
        }
        await ownByGroup(target, fsGroup);
        return { hostPath: target, readOnly: false };
      }
      case 'hostPath':
        return { hostPath: await setUpHostPath(volume.hostPath!), readOnly: false };
      case 'persistentVolumeClaim':
        return setUpClaim(ns, volume, uid);
      case 'configMap': {
        const src = volume.configMap!;
        const cm = await deps.sources.configMap(ns, src.name!);
        if (!cm && !src.optional) throw new Error(missing.configMap(src.name!));
        return writeFiles(dir('configMap'), configMapPayload(cm, src.items, src.defaultMode ?? DEFAULT_MODE, src.optional ?? false), false);
      }
      case 'secret': {
        const src = volume.secret!;
        const secret = await deps.sources.secret(ns, src.secretName!);
        if (!secret && !src.optional) throw new Error(missing.secret(src.secretName!));
        return writeFiles(dir('secret'), secretPayload(secret, src.items, src.defaultMode ?? DEFAULT_MODE, src.optional ?? false), true);
      }
      case 'downwardAPI': {
        const src = volume.downwardAPI!;
        return writeFiles(dir('downwardAPI'), downwardAPIPayload(pod, src.items, src.defaultMode ?? DEFAULT_MODE, ctx), false);
      }
      case 'projected': {
        const src = volume.projected!;
        const defaultMode = src.defaultMode ?? DEFAULT_MODE;
        const payload: Payload = new Map();
        const add = (part: Payload) => part.forEach((file, p) => payload.set(p, file));
        for (const source of src.sources ?? []) {
          if (source.configMap) {
            const cm = await deps.sources.configMap(ns, source.configMap.name!);
            if (!cm && !source.configMap.optional) throw new Error(missing.configMap(source.configMap.name!));
            add(configMapPayload(cm, source.configMap.items, defaultMode, source.configMap.optional ?? false));
          } else if (source.secret) {
            const secret = await deps.sources.secret(ns, source.secret.name!);
            if (!secret && !source.secret.optional) throw new Error(missing.secret(source.secret.name!));
            add(secretPayload(secret, source.secret.items, defaultMode, source.secret.optional ?? false));
          } else if (source.downwardAPI) {
            add(downwardAPIPayload(pod, source.downwardAPI.items, defaultMode, ctx));
          } else {
            const what = Object.keys(source)[0] ?? 'unknown';
            warnings.push({ volume: volume.name, message: `projected volume "${volume.name}": ${what} sources are not supported by this node; their files are left out` });
          }
        }
        return writeFiles(dir('projected'), payload, true);
      }
      default:
        throw new Error(`volume type ${kind} is not supported by this node`);
    }
  }

  /**
   * A persistentVolumeClaim volume: the path of the volume bound to the claim. Rejects, with the
   * reason for the FailedMount event, while the claim is missing or not bound yet (the pod sync
   * retries), or when the volume is of a type this node cannot mount.
   */
  async function setUpClaim(ns: string, volume: Volume, podUid: string): Promise<MountedVolume> {
    const src = volume.persistentVolumeClaim!;
    if (!deps.claims) throw new Error('persistentVolumeClaim volumes are not supported by this node');
    const claim = await deps.claims.claim(ns, src.claimName);
    if (!claim) throw new Error(`error processing PVC ${ns}/${src.claimName}: persistentvolumeclaim "${src.claimName}" not found`);
    if (claim.metadata?.deletionTimestamp) throw new Error(`error processing PVC ${ns}/${src.claimName}: PVC is being deleted`);
    const volumeName: string | undefined = claim.spec?.volumeName;
    if (!volumeName || claim.status?.phase !== 'Bound') {
      throw new Error(`error processing PVC ${ns}/${src.claimName}: PVC is not bound (phase ${claim.status?.phase ?? 'Pending'}); see the claim's events (kubectl describe pvc ${src.claimName})`);
    }
    const pv = await deps.claims.volume(volumeName);
    if (!pv) throw new Error(`error processing PVC ${ns}/${src.claimName}: persistentvolume "${volumeName}" not found`);
    const readOnly = Boolean(src.readOnly);
    if (pv.spec?.local?.path) {
      const p = path.resolve(pv.spec.local.path);
      const st = await stat(p).catch(() => undefined);
      if (!st) throw new Error(`local volume "${volumeName}": path ${p} does not exist on this node`);
      return { hostPath: p, readOnly };
    }
    if (pv.spec?.hostPath?.path) return { hostPath: await setUpHostPath(pv.spec.hostPath), readOnly };
    if (pv.spec?.nfs && deps.nfs) return { hostPath: await deps.nfs.setUp(podUid, podDir(deps.dataDir, podUid), pv), readOnly: readOnly || Boolean(pv.spec.nfs.readOnly) };
    const kind = Object.keys(pv.spec ?? {}).find((k) => !['capacity', 'accessModes', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode', 'nodeAffinity'].includes(k)) ?? 'unknown';
    throw new Error(`persistentvolume "${volumeName}" of type ${kind} is not supported by this node (${deps.nfs ? 'local, hostPath and nfs' : 'local and hostPath'} are)`);
  }

  return {
    async setUp(pod, ctx) {
      const volumes = new Map<string, MountedVolume>();
      const warnings: VolumeSetup['warnings'] = [];
      const failures: VolumeFailure[] = [];
      for (const volume of pod.spec?.volumes ?? []) {
        try {
          volumes.set(volume.name, await setUpOne(pod, volume, ctx, warnings));
        } catch (err) {
          failures.push({ volume: volume.name, message: (err as Error).message });
        }
      }
      if (failures.length > 0) throw new VolumeSetupError(failures);
      return { volumes, warnings };
    },

    async tearDown(podUid) {
      const dir = podDir(deps.dataDir, podUid);
      const nfsUsed = deps.nfs ? await deps.nfs.recorded(dir) : [];
      for (const mount of await deps.mounter.mountsUnder(dir)) await deps.mounter.unmount(mount);
      await rm(dir, { recursive: true, force: true });
      if (nfsUsed.length > 0) await deps.nfs!.releaseUnused(nfsUsed);
    },

    async knownPods() {
      try {
        return (await readdir(path.join(deps.dataDir, 'pods'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
      } catch {
        return [];
      }
    },
  };
}
