/**
 * Pure translations between the runtime contract and Docker's API: create options for sandboxes
 * and containers, and statuses from `docker inspect` / `docker ps` answers.
 */
import type Docker from 'dockerode';
import { RuntimeError, type ContainerConfig, type ContainerState, type ContainerStatus, type PodIdentity, type SandboxConfig, type SandboxStatus } from '../runtime.js';
import { annotationsFromLabels, attemptFromLabels, podFromLabels, podLabels, reportedLabels, type LabelKeys } from './labels.js';

/** json-file with a size cap: `kubectl logs` reads it back through the engine. */
const LOG_CONFIG = { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } };

/** The agent restarts containers itself; the engine never does. */
const NO_RESTART = { Name: 'no', MaximumRetryCount: 0 };

/** Docker's name for a sandbox, as dockershim named them: k8s_POD_<pod>_<namespace>_<uid>_<attempt>. */
export function sandboxName(config: SandboxConfig): string {
  return `k8s_POD_${config.pod.name}_${config.pod.namespace}_${config.pod.uid}_${config.attempt}`;
}

/** Docker's name for a container: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>. */
export function containerName(pod: PodIdentity, config: ContainerConfig): string {
  return `k8s_${config.name}_${pod.name}_${pod.namespace}_${pod.uid}_${config.attempt}`;
}

/**
 * Create options of a sandbox: the pause image, a shareable IPC namespace, the pod's hostname.
 * With a network of its own, Docker networking is disabled: runc gives it a fresh network
 * namespace with loopback up (CNI wires it at /proc/<pid>/ns/net afterwards), and `files` (the
 * binds of sandbox-files.ts) are its /etc/resolv.conf and /etc/hosts, with the pod's DNS and host
 * aliases, shared with the containers that join it. On the host's network Docker writes both from
 * the same settings. Port mappings are not Docker's business here: the CNI portmap plugin or the
 * service proxy handles hostPort.
 */
export function sandboxCreateOptions(config: SandboxConfig, image: string, keys: LabelKeys, files: string[] = []): Docker.ContainerCreateOptions {
  const extraHosts = (config.hostAliases ?? []).flatMap((alias) => alias.hostnames.map((name) => `${name}:${alias.ip}`));
  const docker = config.hostNetwork
    ? { Dns: config.dns?.servers, DnsSearch: config.dns?.searches, DnsOptions: config.dns?.options, ExtraHosts: extraHosts.length > 0 ? extraHosts : undefined }
    : { Binds: files };
  return {
    name: sandboxName(config),
    Image: image,
    Hostname: config.hostNetwork ? undefined : config.hostname,
    Labels: { ...config.labels, ...podLabels(config.pod, keys), [keys.kind]: 'sandbox', [keys.attempt]: String(config.attempt) },
    ...(config.hostNetwork ? {} : { NetworkDisabled: true }),
    HostConfig: {
      NetworkMode: config.hostNetwork ? 'host' : 'none',
      IpcMode: 'shareable',
      ...docker,
      CgroupParent: config.cgroupParent || undefined,
      Sysctls: config.sysctls,
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: NO_RESTART,
      LogConfig: LOG_CONFIG,
    },
  };
}

/** Docker's `User`: uid[:gid]. A group alone cannot be expressed (dockershim refused it too). */
function dockerUser(config: ContainerConfig): string | undefined {
  const { runAsUser, runAsGroup } = config.security ?? {};
  if (runAsUser === undefined) {
    if (runAsGroup !== undefined) throw new RuntimeError('InvalidConfig', `container ${config.name}: runAsGroup is set without runAsUser`);
    return undefined;
  }
  return runAsGroup === undefined ? String(runAsUser) : `${runAsUser}:${runAsGroup}`;
}

function bind(mount: ContainerConfig['mounts'][number]): string {
  const options = [mount.readOnly ? 'ro' : 'rw', ...(mount.propagation ? [mount.propagation] : [])];
  return `${mount.hostPath}:${mount.containerPath}:${options.join(',')}`;
}

/**
 * Create options of a container joined to `sandbox`'s network and IPC namespaces (not its PID
 * namespace) under the pod's cgroup parent, with the sandbox's `files` (binds of /etc/resolv.conf
 * and /etc/hosts) where the container mounts nothing of its own. Kubernetes command/args
 * semantics: `command` replaces the image's ENTRYPOINT (and drops its CMD), `args` replace CMD;
 * with neither the image decides.
 */
export function containerCreateOptions(
  sandbox: { id: string; pod: PodIdentity; cgroupParent: string; files?: string[] },
  config: ContainerConfig,
  keys: LabelKeys,
): Docker.ContainerCreateOptions {
  const { resources: r, security: s = {} } = config;
  const hasCommand = (config.command?.length ?? 0) > 0;
  const hasArgs = (config.args?.length ?? 0) > 0;
  const limited = r.memoryLimitBytes > 0;
  return {
    name: containerName(sandbox.pod, config),
    Image: config.image,
    Entrypoint: hasCommand ? config.command : undefined,
    // Docker already drops the image's CMD when the entrypoint is given.
    Cmd: hasArgs ? config.args : undefined,
    Env: config.env.map((e) => `${e.name}=${e.value}`),
    WorkingDir: config.workingDir || undefined,
    User: dockerUser(config),
    Tty: config.tty,
    OpenStdin: config.stdin,
    StdinOnce: config.stdinOnce,
    Labels: {
      ...config.labels,
      ...podLabels(sandbox.pod, keys),
      [keys.kind]: 'container',
      [keys.containerName]: config.name,
      [keys.attempt]: String(config.attempt),
      [keys.annotations]: JSON.stringify(config.annotations),
      [keys.sandboxId]: sandbox.id,
      [keys.image]: config.image,
    },
    HostConfig: {
      NetworkMode: `container:${sandbox.id}`,
      IpcMode: `container:${sandbox.id}`,
      CgroupParent: sandbox.cgroupParent || undefined,
      Binds: [...config.mounts.map(bind), ...(sandbox.files ?? []).filter((f) => !config.mounts.some((m) => m.containerPath === f.split(':')[1]))],
      Devices: config.devices?.map((d) => ({ PathOnHost: d.hostPath, PathInContainer: d.containerPath, CgroupPermissions: d.permissions })),
      CpuShares: r.cpuShares > 0 ? r.cpuShares : undefined,
      CpuQuota: r.cpuQuotaUs > 0 ? r.cpuQuotaUs : undefined,
      CpuPeriod: r.cpuQuotaUs > 0 ? r.cpuPeriodUs : undefined,
      Memory: limited ? r.memoryLimitBytes : undefined,
      MemorySwap: limited ? Math.max(r.memorySwapLimitBytes, r.memoryLimitBytes) : undefined,
      PidsLimit: r.pidsLimit && r.pidsLimit > 0 ? r.pidsLimit : undefined,
      Privileged: s.privileged ?? false,
      CapAdd: s.capAdd,
      CapDrop: s.capDrop,
      GroupAdd: s.supplementalGroups?.map(String),
      ReadonlyRootfs: s.readOnlyRootFilesystem ?? false,
      SecurityOpt: s.noNewPrivileges ? ['no-new-privileges'] : undefined,
      RestartPolicy: NO_RESTART,
      LogConfig: LOG_CONFIG,
    },
  };
}

/** A Docker timestamp as a Date; Docker's zero time (0001-01-01…) and garbage mean "never". */
export function dockerTime(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The image reference kubelet's dockershim reported: the repo digest when pulled, else the id. */
export function imageRef(imageId: string, repoDigests: readonly string[] | undefined): string {
  return repoDigests && repoDigests.length > 0 ? `docker-pullable://${repoDigests[0]}` : `docker://${imageId}`;
}

/** Maps Docker's state word (ps `State`, inspect `State.Status`). */
export function containerState(status: string | undefined): ContainerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

/** The status fields every container has, from its labels. */
function identity(id: string, labels: Record<string, string> | undefined, keys: LabelKeys) {
  return {
    id,
    sandboxId: labels?.[keys.sandboxId] || undefined,
    pod: podFromLabels(labels, keys),
    name: labels?.[keys.containerName] ?? '',
    attempt: attemptFromLabels(labels, keys),
    labels: reportedLabels(labels, keys),
    annotations: annotationsFromLabels(labels, keys),
  };
}

/**
 * Full status from `docker inspect` (and the image's repo digests). A container that never ran
 * because its process could not start reports exited, reason ContainerCannotRun, Docker's error.
 */
export function statusFromInspect(info: Docker.ContainerInspectInfo, repoDigests: readonly string[] | undefined, keys: LabelKeys): ContainerStatus {
  const labels = info.Config.Labels;
  const st = info.State;
  const startedAt = dockerTime(st.StartedAt);
  const finishedAt = dockerTime(st.FinishedAt);
  const base = {
    ...identity(info.Id, labels, keys),
    image: labels?.[keys.image] || info.Config.Image,
    imageRef: imageRef(info.Image, repoDigests),
    createdAt: new Date(info.Created),
    startedAt,
  };
  if (st.Running) return { ...base, state: 'running', pid: st.Pid || undefined };
  if (finishedAt || st.ExitCode !== 0) {
    const reason = st.OOMKilled ? 'OOMKilled' : !finishedAt ? 'ContainerCannotRun' : st.ExitCode === 0 ? 'Completed' : 'Error';
    return { ...base, state: 'exited', finishedAt, exitCode: st.ExitCode, reason, message: st.Error || undefined };
  }
  return { ...base, state: containerState(st.Status) === 'exited' ? 'exited' : 'created' };
}

/**
 * Summary status from a `docker ps` entry: state, identity and image, no exit details (those
 * need inspect: containerStatus()).
 */
export function statusFromList(entry: Docker.ContainerInfo, repoDigests: readonly string[] | undefined, keys: LabelKeys): ContainerStatus {
  return {
    ...identity(entry.Id, entry.Labels, keys),
    image: entry.Labels?.[keys.image] || entry.Image,
    imageRef: imageRef(entry.ImageID, repoDigests),
    state: containerState(entry.State),
    createdAt: new Date(entry.Created * 1000),
  };
}

/** Sandbox status from a `docker ps` entry, plus the PID from inspect when it runs. */
export function sandboxStatus(entry: Docker.ContainerInfo, pid: number | undefined, keys: LabelKeys): SandboxStatus {
  const ready = entry.State === 'running' && pid !== undefined && pid > 0;
  return {
    id: entry.Id,
    pod: podFromLabels(entry.Labels, keys),
    attempt: attemptFromLabels(entry.Labels, keys),
    state: ready ? 'ready' : 'notready',
    createdAt: new Date(entry.Created * 1000),
    netnsPath: ready ? `/proc/${pid}/ns/net` : undefined,
    pid: ready ? pid : undefined,
    labels: reportedLabels(entry.Labels, keys),
  };
}
