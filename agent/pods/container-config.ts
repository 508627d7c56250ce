/**
 * The runtime configuration of one container of a pod: image, command and args (with `$(VAR)`
 * expanded), workingDir, env, mounts (volumes with readOnly, subPath/subPathExpr and propagation,
 * the kubelet-managed /etc/hosts, the termination-message file), resources, security settings,
 * and the facts the agent wants back from the runtime after a restart (annotations). Mistakes in
 * the pod's configuration are ConfigErrors (CreateContainerConfigError).
 */
import { createHash } from 'node:crypto';
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Container, Pod, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { MountedVolume } from '../volumes/volume-manager.js';
import type { ContainerConfig, Mount } from '../runtime/runtime.js';
import { ConfigError } from './env.js';
import { expand } from './expansion.js';
import { containerResources } from './resources.js';
import { securityConfig } from './security.js';

/** Keys of ContainerConfig.annotations the agent reads back from ContainerStatus. */
export const ANNOTATIONS = {
  /** Hash of the container's spec: a different one means the spec changed (restart). */
  hash: 'hash',
  /** Host file bind-mounted at terminationMessagePath. */
  terminationMessageFile: 'terminationMessageFile',
  terminationMessagePolicy: 'terminationMessagePolicy',
} as const;

/** JSON with object keys sorted, so equal values always give the same text. */
export function stableJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJSON).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJSON((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A hash of everything in the container's spec but its resources (which may change in place). */
export function containerHash(container: Container): string {
  const { resources: _resources, ...rest } = container;
  return createHash('sha256').update(stableJSON(rest)).digest('hex').slice(0, 16);
}

const PROPAGATION: Record<string, Mount['propagation']> = { None: 'private', HostToContainer: 'rslave', Bidirectional: 'rshared' };

/** The host path of a volume mount: the volume's, or the sub-path inside it (created when missing, kept inside the volume). */
export async function mountSource(volume: MountedVolume, mount: VolumeMount, env: { name: string; value: string }[]): Promise<string> {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  const sub = mount.subPath || (mount.subPathExpr ? expand(mount.subPathExpr, (n) => vars.get(n)) : '');
  if (!sub) return volume.hostPath;
  if (path.isAbsolute(sub) || sub.split('/').includes('..')) throw new ConfigError(`subPath ${JSON.stringify(sub)} must be a relative path without '..'`);
  const root = await realpath(volume.hostPath);
  const wanted = path.join(root, sub);
  try {
    await stat(wanted);
  } catch {
    if (volume.readOnly) throw new ConfigError(`subPath ${JSON.stringify(sub)} does not exist in volume ${JSON.stringify(mount.name)}`);
    await mkdir(wanted, { recursive: true, mode: 0o755 });
  }
  const resolved = await realpath(wanted);
  if (resolved !== root && !resolved.startsWith(root + '/')) throw new ConfigError(`subPath ${JSON.stringify(sub)} resolves outside volume ${JSON.stringify(mount.name)}`);
  return resolved;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  attempt: number;
  env: { name: string; value: string }[];
  volumes: ReadonlyMap<string, MountedVolume>;
  /** The kubelet-managed /etc/hosts (absent on the host network). */
  hostsFile?: string;
  /** Host file for the termination message of this attempt. */
  terminationMessageFile: string;
}

export async function buildContainerConfig(input: ContainerConfigInput): Promise<ContainerConfig> {
  const { pod, container, env } = input;
  const mounts: Mount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = input.volumes.get(m.name);
    if (!volume) throw new ConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
    mounts.push({
      hostPath: await mountSource(volume, m, env),
      containerPath: m.mountPath,
      readOnly: Boolean(m.readOnly) || volume.readOnly,
      ...(m.mountPropagation && PROPAGATION[m.mountPropagation] ? { propagation: PROPAGATION[m.mountPropagation] } : {}),
    });
  }
  const taken = new Set(mounts.map((m) => m.containerPath));
  if (input.hostsFile && !taken.has('/etc/hosts')) mounts.push({ hostPath: input.hostsFile, containerPath: '/etc/hosts', readOnly: false });
  const messagePath = container.terminationMessagePath || '/dev/termination-log';
  if (!taken.has(messagePath)) mounts.push({ hostPath: input.terminationMessageFile, containerPath: messagePath, readOnly: false });

  const vars = new Map(env.map((e) => [e.name, e.value]));
  const lookup = (n: string) => vars.get(n);
  return {
    name: container.name,
    attempt: input.attempt,
    image: container.image ?? '',
    command: container.command?.map((c) => expand(c, lookup)),
    args: container.args?.map((a) => expand(a, lookup)),
    workingDir: container.workingDir,
    env,
    mounts,
    resources: containerResources(container),
    security: securityConfig(pod, container),
    tty: container.tty ?? false,
    stdin: container.stdin ?? false,
    stdinOnce: container.stdinOnce ?? false,
    labels: {},
    annotations: {
      [ANNOTATIONS.hash]: containerHash(container),
      [ANNOTATIONS.terminationMessageFile]: input.terminationMessageFile,
      [ANNOTATIONS.terminationMessagePolicy]: container.terminationMessagePolicy ?? 'File',
    },
  };
}
