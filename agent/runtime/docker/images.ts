/**
 * Images Tugboat builds itself, without a registry: a busybox image for tests and the pause image
 * that holds each pod's namespaces. Both are a single layer holding the host's static busybox
 * (`apt-get install busybox-static`) with a symlink for every applet, written as a deterministic
 * tarball and loaded with `docker load`: the same busybox binary always gives the same image id
 * (`docker import` would stamp the current time into the image config, and so a new id each build).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { buildTar, type TarEntry } from './tar.js';

/** Bump when the pause image's contents change. */
export const PAUSE_IMAGE = 'tugboat/pause:1.0';

export const DEFAULT_BUSYBOX_PATH = '/usr/bin/busybox';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const EPOCH = '1970-01-01T00:00:00Z';

/**
 * The pause process: sleeps until SIGTERM or SIGINT, then exits 0. As PID 1 of the sandbox, `wait`
 * (waitpid(-1) in busybox ash) also reaps orphans that get reparented to it.
 */
const PAUSE_SCRIPT = `#!/bin/sh
trap 'exit 0' TERM INT
while :; do
  sleep 2147483647 &
  wait $!
done
`;

export interface BusyboxImageOptions {
  /** The static busybox binary to put in the image. */
  busyboxPath?: string;
}

interface ImageSpec {
  tag: string;
  files: TarEntry[];
  entrypoint?: string[];
  cmd?: string[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A root filesystem with busybox at /bin/busybox and each applet linked at its usual path. */
async function busyboxRootfs(busyboxPath: string): Promise<TarEntry[]> {
  let binary: Buffer;
  let list: string;
  try {
    binary = await readFile(busyboxPath);
    list = (await promisify(execFile)(busyboxPath, ['--list-full'])).stdout;
  } catch (err) {
    throw new Error(`cannot use ${busyboxPath} to build an image (apt-get install -y busybox-static): ${(err as Error).message}`);
  }
  const dirs: [string, number][] = [
    ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o555], ['root', 0o700],
    ['sbin', 0o755], ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755],
    ['var', 0o755], ['var/run', 0o755], ['var/www', 0o755],
  ];
  const applets = [...new Set(list.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'bin/busybox'))].sort();
  return [
    ...dirs.map(([name, mode]): TarEntry => ({ type: 'dir', name, mode })),
    { type: 'file', name: 'bin/busybox', mode: 0o755, data: binary },
    ...applets.map((name): TarEntry => ({ type: 'symlink', name, target: '/bin/busybox' })),
    { type: 'file', name: 'etc/passwd', mode: 0o644, data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') },
    { type: 'file', name: 'etc/group', mode: 0o644, data: Buffer.from('root:x:0:\nnobody:x:65534:\n') },
  ];
}

function dockerArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** A `docker save`-format archive of a one-layer image; returns it with the image id it loads as. */
function imageArchive(spec: ImageSpec): { archive: Buffer; id: string } {
  const layer = buildTar(spec.files);
  const layerHex = sha256(layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: dockerArch(),
      os: 'linux',
      created: EPOCH,
      config: { Env: [PATH_ENV], Entrypoint: spec.entrypoint ?? null, Cmd: spec.cmd ?? null, WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] },
      history: [{ created: EPOCH, created_by: 'tugboat: busybox rootfs' }],
    }),
  );
  const configHex = sha256(config);
  const manifest = [{ Config: `${configHex}.json`, RepoTags: [spec.tag], Layers: [`${layerHex}/layer.tar`] }];
  const archive = buildTar([
    { type: 'file', name: `${configHex}.json`, mode: 0o644, data: config },
    { type: 'dir', name: layerHex, mode: 0o755 },
    { type: 'file', name: `${layerHex}/layer.tar`, mode: 0o644, data: layer },
    { type: 'file', name: 'manifest.json', mode: 0o644, data: Buffer.from(JSON.stringify(manifest)) },
  ]);
  return { archive, id: `sha256:${configHex}` };
}

async function loadArchive(docker: Docker, archive: Buffer): Promise<void> {
  const stream = await docker.loadImage(Readable.from([archive]), { quiet: true });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
      const failed = err?.message ?? output.find((o) => o.error)?.error;
      if (failed) reject(new Error(`docker load failed: ${failed}`));
      else resolve();
    });
  });
}

/** In-flight builds per engine client, so that concurrent callers share one build. */
const builds = new WeakMap<Docker, Map<string, Promise<string>>>();

/** Returns the id of `spec.tag`, building and loading it first when the engine lacks it. */
function ensureImage(docker: Docker, spec: () => Promise<ImageSpec>, tag: string): Promise<string> {
  let perEngine = builds.get(docker);
  if (!perEngine) builds.set(docker, (perEngine = new Map()));
  let build = perEngine.get(tag);
  if (!build) {
    build = (async () => {
      try {
        return (await docker.getImage(tag).inspect()).Id;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
      const { archive, id } = imageArchive(await spec());
      await loadArchive(docker, archive);
      return id;
    })();
    // Only in-flight builds are shared: later callers look again (the image may have been removed).
    const forget = () => perEngine.delete(tag);
    build.then(forget, forget);
    perEngine.set(tag, build);
  }
  return build;
}

/**
 * Ensures a small busybox image named `tag` (e.g. `tugboat/busybox:test`) exists; resolves with its
 * id. Every busybox applet is on PATH (sh, sleep, httpd, nc, wget, nslookup, timeout, dd, awk, …);
 * entrypoint none, cmd `sh`. Idempotent; concurrent callers share one build.
 */
export function buildBusyboxImage(docker: Docker, tag: string, opts: BusyboxImageOptions = {}): Promise<string> {
  const busyboxPath = opts.busyboxPath ?? DEFAULT_BUSYBOX_PATH;
  return ensureImage(docker, async () => ({ tag, files: await busyboxRootfs(busyboxPath), cmd: ['sh'] }), tag);
}

/**
 * Ensures the pause image (PAUSE_IMAGE) exists; resolves with its tag. Its entrypoint sleeps until
 * SIGTERM/SIGINT and then exits 0, reaping orphans meanwhile; busybox applets (sh, nc, …) are there
 * for port forwarding. Idempotent; concurrent callers share one build.
 */
export async function ensurePauseImage(docker: Docker, opts: BusyboxImageOptions = {}): Promise<string> {
  const busyboxPath = opts.busyboxPath ?? DEFAULT_BUSYBOX_PATH;
  const spec = async (): Promise<ImageSpec> => ({
    tag: PAUSE_IMAGE,
    files: [...(await busyboxRootfs(busyboxPath)), { type: 'file', name: 'pause', mode: 0o755, data: Buffer.from(PAUSE_SCRIPT) }],
    entrypoint: ['/pause'],
  });
  await ensureImage(docker, spec, PAUSE_IMAGE);
  return PAUSE_IMAGE;
}
