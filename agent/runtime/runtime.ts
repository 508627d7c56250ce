/**
 * The ContainerRuntime contract: what the agent's pod logic needs from a container engine, in the
 * shape of the Kubernetes CRI, so that a containerd implementation can follow the Docker one
 * (docker/) without touching pod logic.
 *
 * A pod is a sandbox (a pause container holding the pod's network namespace, IPC and UTS) plus its
 * containers, which join the sandbox's namespaces. Everything the runtime creates carries labels
 * (LABELS below) naming the pod and container, so a restarted agent finds and adopts what runs.
 * Methods reject with RuntimeError; `code` tells callers what happened (image missing, not found…).
 */
import type { Duplex, Readable, Writable } from 'node:stream';

/** Labels on every sandbox and container; the agent's memory across restarts. */
export const LABELS = {
  podUid: 'io.kubernetes.pod.uid',
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  containerName: 'io.kubernetes.container.name',
  /** restartCount of the container (its attempt number). */
  attempt: 'io.tugboat.attempt',
  /** 'sandbox' or 'container'. */
  kind: 'io.tugboat.kind',
  /** JSON of facts pod logic wants back after a restart (container hash, termination message path…). */
  annotations: 'io.tugboat.annotations',
} as const;

export type RuntimeErrorCode = 'ImageNotFound' | 'ImagePullFailed' | 'NotFound' | 'InvalidConfig' | 'Unavailable' | 'Failed';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export interface PodIdentity {
  uid: string;
  name: string;
  namespace: string;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  hostIP?: string;
}

export interface SandboxConfig {
  pod: PodIdentity;
  /** Increments each time the sandbox is recreated. */
  attempt: number;
  hostname: string;
  /** Share the host's network namespace (pod.spec.hostNetwork); CNI is then skipped. */
  hostNetwork: boolean;
  dns?: DNSConfig;
  /** Extra /etc/hosts entries (pod.spec.hostAliases). */
  hostAliases?: { ip: string; hostnames: string[] }[];
  portMappings: PortMapping[];
  /** cgroup parent of the pod (cgroups/): every container of the pod lives under it. */
  cgroupParent: string;
  labels: Record<string, string>;
  sysctls?: Record<string, string>;
}

export interface SandboxStatus {
  id: string;
  pod: PodIdentity;
  attempt: number;
  state: 'ready' | 'notready';
  createdAt: Date;
  /** Path of the network namespace (for CNI), when running. */
  netnsPath?: string;
  /** PID of the sandbox's process, when running. */
  pid?: number;
  labels: Record<string, string>;
}

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
  /** Mount only this sub-path of hostPath (already resolved by the caller). */
  propagation?: 'private' | 'rslave' | 'rshared';
}

/** Linux resources of one container, already translated from requests/limits. */
export interface LinuxResources {
  /** cgroup v1 cpu.shares (v2 weight is derived). */
  cpuShares: number;
  /** CFS quota in microseconds per period; 0 = unlimited. */
  cpuQuotaUs: number;
  cpuPeriodUs: number;
  /** 0 = unlimited. */
  memoryLimitBytes: number;
  /** Swap is off for limited containers: equals memoryLimitBytes then. */
  memorySwapLimitBytes: number;
  /** 0 = runtime default. */
  pidsLimit?: number;
}

export interface SecurityConfig {
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  readOnlyRootFilesystem?: boolean;
  noNewPrivileges?: boolean;
}

export interface ContainerConfig {
  name: string;
  /** restartCount this container instance represents. */
  attempt: number;
  image: string;
  /** Overrides the image entrypoint (pod `command`). */
  command?: string[];
  /** Overrides the image cmd (pod `args`). */
  args?: string[];
  workingDir?: string;
  env: { name: string; value: string }[];
  mounts: Mount[];
  devices?: { hostPath: string; containerPath: string; permissions: string }[];
  resources: LinuxResources;
  security?: SecurityConfig;
  tty: boolean;
  stdin: boolean;
  stdinOnce: boolean;
  labels: Record<string, string>;
  /** Free-form facts stored with the container and given back in ContainerStatus. */
  annotations: Record<string, string>;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  sandboxId?: string;
  pod: PodIdentity;
  name: string;
  attempt: number;
  image: string;
  /** Image ID the container runs (docker-pullable://… or sha256:…). */
  imageRef: string;
  state: ContainerState;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  /** 'OOMKilled', 'Error', 'Completed' for exited containers. */
  reason?: string;
  message?: string;
  /** PID while running. */
  pid?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ImageInfo {
  id: string;
  /** Names it is known by (repo:tag). */
  tags: string[];
  sizeBytes: number;
}

export interface LogOptions {
  follow: boolean;
  /** Lines from the end; undefined = all. */
  tail?: number;
  /** Only lines at or after this time. */
  since?: Date;
  timestamps: boolean;
  /** Stop after this many bytes. */
  limitBytes?: number;
}

/** An exec or attach session: stdio streams, terminal resize, and the exit code when it ends. */
export interface StreamSession {
  stdin?: Writable;
  stdout?: Readable;
  /** Absent with a TTY (output is merged into stdout). */
  stderr?: Readable;
  resize(width: number, height: number): Promise<void>;
  /** Resolves with the exit code once the process ended and its output was delivered. */
  exitCode: Promise<number>;
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export type RuntimeEvent = { containerId: string; type: 'start' | 'die' | 'oom' | 'destroy' };

export interface ContainerRuntime {
  /** Engine name and version for node.status.nodeInfo.containerRuntimeVersion, e.g. docker://20.10.24. */
  version(): Promise<{ name: string; version: string }>;

  /** undefined when the image is not present locally. */
  imageStatus(image: string): Promise<ImageInfo | undefined>;
  /** Pulls through the engine; RuntimeError ImagePullFailed when no registry answers. */
  pullImage(image: string): Promise<ImageInfo>;
  listImages(): Promise<ImageInfo[]>;

  /** Creates and starts a sandbox; returns its id. */
  runPodSandbox(config: SandboxConfig): Promise<string>;
  /** Stops the sandbox and every container in it. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes a stopped sandbox. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  /** Sandboxes created by this agent (running or not), optionally of one pod. */
  listPodSandboxes(podUid?: string): Promise<SandboxStatus[]>;

  /** Creates a container in a sandbox (not started); returns its id. */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. Idempotent. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Idempotent. */
  removeContainer(id: string): Promise<void>;
  /** Containers created by this agent, optionally of one pod. */
  listContainers(podUid?: string): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  /** Runs a command in a running container and collects its output (probes, hooks). */
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean }>;
  /** An interactive exec session. */
  exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession>;
  /** Attaches to the container's main process. */
  attach(id: string, opts: StreamOptions): Promise<StreamSession>;
  /** The container's log (stdout and stderr merged, in order). */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  /** A byte stream to `port` on the pod's loopback (inside the sandbox's network namespace). */
  portForward(sandboxId: string, port: number): Promise<Duplex>;

  /** Container events, to wake pod workers early; the iterator ends when `signal` aborts. */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
}
