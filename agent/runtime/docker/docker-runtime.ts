/**
 * ContainerRuntime over Docker Engine (API 1.41+, cgroupfs driver) through dockerode.
 *
 * A sandbox is a pause container in a fresh network namespace without Docker networking (or in
 * the host's) that the agent wires with CNI through `netnsPath`; containers join its network and
 * IPC namespaces, its cgroup parent and its /etc/resolv.conf and /etc/hosts (sandbox-files.ts).
 * Everything created carries the labels of labels.ts, and lists filter on them, so a restarted
 * agent finds exactly what it (or a runtime with the same label prefix) created.
 * Methods reject with RuntimeError (errors.ts maps Docker's answers).
 */
import { randomBytes } from 'node:crypto';
import { Duplex, Readable } from 'node:stream';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import {
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ImageInfo,
  type LogOptions,
  type RuntimeEvent,
  type SandboxConfig,
  type SandboxStatus,
  type StreamOptions,
  type StreamSession,
} from '../runtime.js';
import { containerCreateOptions, sandboxCreateOptions, sandboxStatus, statusFromInspect, statusFromList } from './convert.js';
import { dockerMessage, dockerStatus, toRuntimeError } from './errors.js';
import { containerEvents } from './events.js';
import { execExitCode, killExec } from './exec.js';
import { ensurePauseImage, PAUSE_IMAGE } from './images.js';
import { labelKeys, podFromLabels, type LabelKeys } from './labels.js';
import { DEFAULT_SANDBOX_FILES_ROOT, removeSandboxFiles, sharedBinds, writeSandboxFiles } from './sandbox-files.js';
import { limitBytes, outputFrames, stdinWriter, streamSession } from './streams.js';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface DockerRuntimeOptions {
  /** The engine's unix socket; default /var/run/docker.sock. */
  socketPath?: string;
  logger: Logger;
  /** Image of sandboxes; default PAUSE_IMAGE (images.ts), built locally when missing. */
  pauseImage?: string;
  /** Prefix on the keys of every label this runtime writes and lists by (labels.ts); default ''. */
  labelPrefix?: string;
  /** A pull fails once the engine reports no progress for this long; default 30 s. */
  pullIdleTimeoutMs?: number;
  /** Where sandboxes' /etc/resolv.conf and /etc/hosts are kept (sandbox-files.ts); default /run/tugboat/sandboxes. */
  sandboxFilesRoot?: string;
}

/** Grace of the pause process at sandbox stop (it exits at once on SIGTERM). */
const SANDBOX_STOP_SECONDS = 2;
/** How long repo digests of an image id are kept. */
const DIGESTS_TTL_MS = 10_000;
/** How long an attach waits for the container's exit once its output ended, before giving up. */
const ATTACH_EXIT_GRACE_MS = 5000;

function imageInfo(id: string, repoTags: string[] | undefined, size: number): ImageInfo {
  return { id, tags: (repoTags ?? []).filter((t) => t !== '<none>:<none>'), sizeBytes: size };
}

/** Runs a dockerode call, translating failures into RuntimeError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toRuntimeError(err);
  }
}

/** Like call(), but the listed HTTP statuses count as success (idempotent operations). */
async function tolerate(statuses: number[], fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const status = dockerStatus(err);
    if (status === undefined || !statuses.includes(status)) throw toRuntimeError(err);
  }
}

class DockerRuntime implements ContainerRuntime {
  private readonly keys: LabelKeys;
  private readonly log: Logger;
  /** Image id → its repo digests and when they were read (repoDigests()). */
  private readonly digests = new Map<string, { value: string[] | undefined; at: number }>();
  private readonly filesRoot: string;

  constructor(
    private readonly docker: Docker,
    private readonly opts: DockerRuntimeOptions,
  ) {
    this.keys = labelKeys(opts.labelPrefix ?? '');
    this.filesRoot = opts.sandboxFilesRoot ?? DEFAULT_SANDBOX_FILES_ROOT;
    this.log = opts.logger.child({ component: 'docker-runtime' });
  }

  async version(): Promise<{ name: string; version: string }> {
    const v = await call(() => this.docker.version());
    return { name: 'docker', version: v.Version };
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return imageInfo(info.Id, info.RepoTags, info.Size);
    } catch (err) {
      if (dockerStatus(err) === 404) return undefined;
      throw toRuntimeError(err);
    }
  }

  /** Pulls (`name` without tag means `:latest`); ImagePullFailed with Docker's message on failure. */
  async pullImage(image: string): Promise<ImageInfo> {
    const idleMs = this.opts.pullIdleTimeoutMs ?? 30_000;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(), idleMs);
    };
    try {
      arm();
      const stream = await this.docker.pull(image, { abortSignal: abort.signal });
      await new Promise<void>((resolve, reject) => {
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason));
        this.docker.modem.followProgress(
          stream,
          (err: Error | null, output: { error?: string }[]) => {
            const failed = err ?? output.find((o) => o.error)?.error;
            if (failed) reject(failed);
            else resolve();
          },
          arm,
        );
      });
    } catch (err) {
      const message = abort.signal.aborted ? `pulling ${image}: no progress from the engine for ${idleMs / 1000} s` : dockerMessage(err);
      throw new RuntimeError('ImagePullFailed', message);
    } finally {
      clearTimeout(timer);
    }
    this.digests.clear();
    const ref = /[:@][^/]*$/.test(image) ? image : `${image}:latest`;
    const info = await this.imageStatus(ref);
    if (!info) throw new RuntimeError('ImagePullFailed', `pulled ${image} but the engine does not list it`);
    this.log.debug({ image, id: info.id }, 'image pulled');
    return info;
  }

  async listImages(): Promise<ImageInfo[]> {
    const images = await call(() => this.docker.listImages());
    return images.map((i) => imageInfo(i.Id, i.RepoTags, i.Size));
  }

  /**
   * With a network of its own the sandbox gets a fresh namespace from runc and its resolv.conf and
   * hosts from sandbox-files.ts (see sandboxCreateOptions). The pause image is built (PAUSE_IMAGE)
   * only when creating a sandbox finds it missing. On failure nothing is left behind.
   */
  async runPodSandbox(config: SandboxConfig): Promise<string> {
    const files = config.hostNetwork ? [] : await writeSandboxFiles(this.filesRoot, config);
    const create = (image: string) => this.createNamed(sandboxCreateOptions(config, image, this.keys, files));
    let id: string | undefined;
    try {
      if (this.opts.pauseImage) {
        id = await create(this.opts.pauseImage);
      } else {
        try {
          id = await create(PAUSE_IMAGE);
        } catch (err) {
          if (!(err instanceof RuntimeError && err.code === 'ImageNotFound')) throw err;
          id = await create(await call(() => ensurePauseImage(this.docker)));
        }
      }
      await this.docker.getContainer(id).start();
    } catch (err) {
      const created = id;
      if (created) await tolerate([404], () => this.docker.getContainer(created).remove({ force: true }));
      await removeSandboxFiles(this.filesRoot, files);
      throw toRuntimeError(err);
    }
    this.log.debug({ pod: `${config.pod.namespace}/${config.pod.name}`, sandbox: id }, 'sandbox started');
    return id;
  }

  /** Stops the sandbox's containers at once (SIGKILL: pod logic stopped them gracefully before), then the sandbox. */
  async stopPodSandbox(id: string): Promise<void> {
    const containers = await this.listRaw([`${this.keys.sandboxId}=${id}`]);
    await Promise.all(containers.filter((c) => c.State === 'running').map((c) => this.stopContainer(c.Id, 0)));
    await tolerate([304, 404], () => this.docker.getContainer(id).stop({ t: SANDBOX_STOP_SECONDS }));
  }

  /** Removes the sandbox, whatever containers are left in it, running or not, and its files. */
  async removePodSandbox(id: string): Promise<void> {
    let binds: string[] | undefined;
    try {
      binds = (await this.docker.getContainer(id).inspect()).HostConfig.Binds ?? undefined;
    } catch (err) {
      if (dockerStatus(err) !== 404) throw toRuntimeError(err);
    }
    const containers = await this.listRaw([`${this.keys.sandboxId}=${id}`]);
    await Promise.all(containers.map((c) => this.removeContainer(c.Id)));
    await this.removeContainer(id);
    await removeSandboxFiles(this.filesRoot, binds);
  }

  /** One list call, plus an inspect per running sandbox for its PID (and so netnsPath). */
  async listPodSandboxes(podUid?: string): Promise<SandboxStatus[]> {
    const entries = await this.listRaw([`${this.keys.kind}=sandbox`, ...(podUid ? [`${this.keys.podUid}=${podUid}`] : [])]);
    return Promise.all(
      entries.map(async (entry) => {
        let pid: number | undefined;
        if (entry.State === 'running') {
          try {
            pid = (await this.docker.getContainer(entry.Id).inspect()).State.Pid;
          } catch (err) {
            if (dockerStatus(err) !== 404) throw toRuntimeError(err);
          }
        }
        return sandboxStatus(entry, pid, this.keys);
      }),
    );
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = await call(() => this.docker.getContainer(sandboxId).inspect());
    if (sandbox.Config.Labels?.[this.keys.kind] !== 'sandbox') throw new RuntimeError('NotFound', `no sandbox ${sandboxId}`);
    const target = { id: sandbox.Id, pod: podFromLabels(sandbox.Config.Labels, this.keys), cgroupParent: sandbox.HostConfig.CgroupParent ?? '', files: sharedBinds(sandbox.HostConfig.Binds) };
    const id = await this.createNamed(containerCreateOptions(target, config, this.keys));
    this.log.debug({ sandbox: sandboxId, container: config.name, id }, 'container created');
    return id;
  }

  /**
   * Starts a created container (already running: no-op). When its process cannot run, this rejects
   * with Docker's message (InvalidConfig for what Docker calls invalid, e.g. a missing executable)
   * and containerStatus() reports it exited, reason ContainerCannotRun.
   */
  async startContainer(id: string): Promise<void> {
    await tolerate([304], () => this.docker.getContainer(id).start());
  }

  /** Docker's stop: the image's stop signal (SIGTERM by default), SIGKILL after the timeout. Missing or stopped: no-op. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await tolerate([304, 404], () => this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(timeoutSeconds)) }));
  }

  /** Force-removes (kills a running one) with its anonymous volumes. Missing: no-op. */
  async removeContainer(id: string): Promise<void> {
    // 409: a removal is already in progress.
    await tolerate([404, 409], () => this.docker.getContainer(id).remove({ force: true, v: true }));
  }

  /**
   * Summaries from one list call (plus an inspect of each distinct image, in parallel, for image
   * refs): identity, state, image and creation time. Exit code, reason and start/finish times come
   * from containerStatus().
   */
  async listContainers(podUid?: string): Promise<ContainerStatus[]> {
    const entries = await this.listRaw([`${this.keys.kind}=container`, ...(podUid ? [`${this.keys.podUid}=${podUid}`] : [])]);
    const imageIds = [...new Set(entries.map((e) => e.ImageID))];
    const digests = new Map(await Promise.all(imageIds.map(async (id) => [id, await this.repoDigests(id)] as const)));
    return entries.map((entry) => statusFromList(entry, digests.get(entry.ImageID), this.keys));
  }

  /**
   * The repo digests of an image (by id); undefined when it is gone. Kept for DIGESTS_TTL_MS: an
   * id names fixed content, only a pull or push adds digests (pullImage() forgets what is kept).
   */
  private async repoDigests(imageId: string): Promise<string[] | undefined> {
    const kept = this.digests.get(imageId);
    if (kept && Date.now() - kept.at < DIGESTS_TTL_MS) return kept.value;
    let value: string[] | undefined;
    try {
      value = (await this.docker.getImage(imageId).inspect()).RepoDigests;
    } catch (err) {
      if (dockerStatus(err) !== 404) throw toRuntimeError(err);
    }
    for (const [id, entry] of this.digests) if (Date.now() - entry.at >= DIGESTS_TTL_MS) this.digests.delete(id);
    this.digests.set(imageId, { value, at: Date.now() });
    return value;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const info = await call(() => this.docker.getContainer(id).inspect());
    return statusFromInspect(info, await this.repoDigests(info.Image), this.keys);
  }

  /**
   * Runs `cmd` and collects its output. After `timeoutSeconds` (0 = none) it stops waiting and
   * answers timedOut with exitCode -1, killing the process when this agent can see it (exec.ts).
   */
  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean }> {
    const exec = await call(() => this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true }));
    const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
    const text = (stream: 'stdout' | 'stderr') => Buffer.concat(out[stream]).toString('utf8');
    const giveUp = new AbortController();
    let stream: Readable | undefined;
    const run = (async () => {
      stream = (await call(() => exec.start({ hijack: false, stdin: false, Detach: false, Tty: false }))) as Readable;
      if (giveUp.signal.aborted) stream.destroy();
      for await (const frame of outputFrames(stream, false)) out[frame.stream].push(frame.data);
      return execExitCode(exec, giveUp.signal);
    })();
    run.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      if (timeoutSeconds > 0) timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
    });
    try {
      const result = await Promise.race([run, deadline]);
      if (result !== 'timeout') return { exitCode: result, stdout: text('stdout'), stderr: text('stderr'), timedOut: false };
    } finally {
      clearTimeout(timer);
    }
    giveUp.abort();
    stream?.destroy();
    const killed = await killExec(exec);
    this.log.debug({ container: id, cmd, killed }, 'exec timed out');
    return { exitCode: -1, stdout: text('stdout'), stderr: text('stderr'), timedOut: true };
  }

  async exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession> {
    const exec = await call(() =>
      this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdin: opts.stdin, AttachStdout: opts.stdout, AttachStderr: opts.stderr, Tty: opts.tty }),
    );
    const socket = await call(() => exec.start({ hijack: true, stdin: opts.stdin, Detach: false, Tty: opts.tty }));
    const resize = (width: number, height: number) => call(() => exec.resize({ w: Math.round(width), h: Math.round(height) }));
    return streamSession(socket as Duplex, opts, resize, () => execExitCode(exec));
  }

  /**
   * Attaches to the main process; the framing follows the container's own TTY setting. The exit
   * code is the container's; it rejects when the attach ended but the container kept running.
   */
  async attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    const container = this.docker.getContainer(id);
    const info = await call(() => container.inspect());
    const waiter = new AbortController();
    const exited: Promise<number> = container.wait({ abortSignal: waiter.signal }).then((r: { StatusCode: number }) => r.StatusCode);
    exited.catch(() => undefined);
    let socket: Duplex;
    try {
      socket = (await container.attach({ stream: true, hijack: true, stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr, logs: false })) as Duplex;
    } catch (err) {
      waiter.abort();
      throw toRuntimeError(err);
    }
    socket.once('close', () => setTimeout(() => waiter.abort(), ATTACH_EXIT_GRACE_MS).unref());
    const resize = (width: number, height: number) => call(() => container.resize({ w: Math.round(width), h: Math.round(height) }));
    const exitCode = () =>
      exited.catch((err) => {
        throw waiter.signal.aborted ? new RuntimeError('Failed', `attach to ${id} ended while the container kept running`) : toRuntimeError(err);
      });
    return streamSession(socket, { ...opts, tty: info.Config.Tty }, resize, exitCode);
  }

  /** stdout and stderr in the order the engine recorded them; destroying the stream ends a follow. */
  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const container = this.docker.getContainer(id);
    const info = await call(() => container.inspect());
    const query = {
      stdout: true,
      stderr: true,
      timestamps: opts.timestamps,
      ...(opts.tail === undefined ? {} : { tail: Math.max(0, opts.tail) }),
      // Seconds with a fraction: Docker reads "1700000000.123" down to the millisecond.
      ...(opts.since ? { since: opts.since.getTime() / 1000 } : {}),
    };
    const source = await call<Buffer | NodeJS.ReadableStream>(() =>
      opts.follow ? container.logs({ ...query, follow: true }) : container.logs({ ...query, follow: false }),
    );
    const chunks: AsyncIterable<Buffer> = Buffer.isBuffer(source) ? Readable.from([source]) : (source as AsyncIterable<Buffer>);
    async function* payloads() {
      for await (const frame of outputFrames(chunks, info.Config.Tty)) yield frame.data;
    }
    const output = Readable.from(limitBytes(payloads(), opts.limitBytes), { objectMode: false });
    if (!Buffer.isBuffer(source)) output.once('close', () => (source as Readable).destroy());
    return output;
  }

  /**
   * `nc 127.0.0.1 <port>` in the sandbox (the pause image has busybox nc), as a byte stream. Ending
   * the writable side half-closes the connection; the stream ends when the remote closes, and
   * fails with nc's complaint (e.g. connection refused) when it exits non-zero.
   */
  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    const exec = await call(() =>
      this.docker.getContainer(sandboxId).exec({ Cmd: ['nc', '127.0.0.1', String(port)], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false }),
    );
    const socket = (await call(() => exec.start({ hijack: true, stdin: true, Detach: false, Tty: false }))) as Duplex;
    async function* received() {
      const complaint: Buffer[] = [];
      for await (const frame of outputFrames(socket, false)) {
        if (frame.stream === 'stdout') yield frame.data;
        else complaint.push(frame.data);
      }
      const code = await execExitCode(exec);
      if (code !== 0) throw new RuntimeError('Failed', `port-forward to port ${port}: ${Buffer.concat(complaint).toString('utf8').trim() || `nc exited with ${code}`}`);
    }
    const readable = Readable.from(received(), { objectMode: false });
    const duplex = Duplex.from({ readable, writable: stdinWriter(socket) });
    duplex.once('close', () => socket.destroy());
    return duplex;
  }

  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return containerEvents(this.docker, this.keys.kind, signal, this.log);
  }

  /** Every container (any state) carrying all `labels` (`key=value`). */
  private listRaw(labels: string[]): Promise<Docker.ContainerInfo[]> {
    return call(() => this.docker.listContainers({ all: true, filters: { label: labels } }));
  }

  /** Creates a container; when its name is taken (a leftover of a crash), once more with a random suffix. */
  private async createNamed(options: Docker.ContainerCreateOptions): Promise<string> {
    try {
      return (await this.docker.createContainer(options)).id;
    } catch (err) {
      if (dockerStatus(err) !== 409) throw toRuntimeError(err);
      const name = `${options.name}_${randomBytes(4).toString('hex')}`;
      this.log.warn({ name: options.name, instead: name }, 'container name taken');
      return call(async () => (await this.docker.createContainer({ ...options, name })).id);
    }
  }
}

/** Connects to the engine (RuntimeError Unavailable when it does not answer) and returns the runtime. */
export async function createDockerRuntime(opts: DockerRuntimeOptions): Promise<ContainerRuntime> {
  const socketPath = opts.socketPath ?? DEFAULT_DOCKER_SOCKET;
  const docker = new Docker({ socketPath });
  try {
    await docker.ping();
  } catch (err) {
    throw new RuntimeError('Unavailable', `docker engine at ${socketPath}: ${dockerMessage(err)}`);
  }
  return new DockerRuntime(docker, opts);
}
