/**
 * The node image: built locally by deploy/node-image/build.sh (debootstrap, `docker import`; no
 * registry) and tagged after the build script's content, so that changing the recipe names a new
 * image and `tug cluster create` builds it on first use. The script keeps the downloaded
 * packages in a cache dir, so a rebuild (`--rebuild`) downloads nothing.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DockerError, type DockerCli } from './docker-cli.js';
import type { Progress } from './progress.js';

export const NODE_IMAGE_REPOSITORY = 'tugboat/node';

/** deploy/node-image/build.sh of the repository at `repo`. */
export const buildScript = (repo: string) => path.join(repo, 'deploy/node-image/build.sh');

/** `tugboat/node:<first 12 hex of sha256(build.sh)>`. */
export function nodeImageTag(buildScriptText: string): string {
  return `${NODE_IMAGE_REPOSITORY}:${createHash('sha256').update(buildScriptText).digest('hex').slice(0, 12)}`;
}

/** The image id of `image`, or undefined when the engine does not have it. */
async function imageId(docker: DockerCli, image: string): Promise<string | undefined> {
  try {
    return (await docker.run(['image', 'inspect', '--format', '{{.Id}}', image])).trim();
  } catch (err) {
    if (err instanceof DockerError && /no such image/i.test(err.stderr)) return undefined;
    throw err;
  }
}

/**
 * Removes node images that `current` replaces: the previous image of the same tag and images of
 * older recipes (tugboat/node:<12 hex>). Best effort: an image a container still uses stays.
 */
async function removeReplacedImages(docker: DockerCli, current: string, previousId: string | undefined): Promise<void> {
  const listed = (await docker.run(['image', 'ls', NODE_IMAGE_REPOSITORY, '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
  const stale = listed.filter((t) => t !== current && new RegExp(`^${NODE_IMAGE_REPOSITORY}:[0-9a-f]{12}$`).test(t));
  for (const image of [...stale, ...(previousId ? [previousId] : [])]) await docker.run(['image', 'rm', image]).catch(() => undefined);
}

/** Runs build.sh, showing its step lines ("==> …") as notes; rejects with the output's tail on failure. */
function runBuild(script: string, tag: string, cacheDir: string, progress: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(script, [tag, cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('==> ')) progress.note(line.slice(4));
        tail.push(line);
        if (tail.length > 40) tail.shift();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('error', (err) => reject(new Error(`cannot run ${script}: ${err.message}`)));
    proc.once('close', (code) => {
      if (code === 0) return resolve();
      reject(new Error(`building the node image failed (${script} exited ${code}); its last lines:\n${[...tail, partial].join('\n').trim()}`));
    });
  });
}

export interface NodeImageOptions {
  /** The repository (holds deploy/node-image/build.sh). */
  repo: string;
  /** Where build.sh keeps downloaded packages. */
  cacheDir: string;
  /** Build even when the image exists. */
  rebuild: boolean;
  /** A user-chosen image: used as it is, never built. */
  image?: string;
}

/**
 * Resolves with the node image to run, building it first when it is missing (about a minute on
 * first use, with progress) or when `rebuild` asks, and then removing the images it replaces.
 * Not safe to run twice at once for one tag.
 */
export async function ensureNodeImage(docker: DockerCli, opts: NodeImageOptions, progress: Progress): Promise<string> {
  if (opts.image) {
    if (!(await imageId(docker, opts.image))) throw new Error(`node image ${opts.image} does not exist: build one with ${buildScript(opts.repo)} TAG CACHE_DIR, or leave out --image`);
    return opts.image;
  }
  const script = buildScript(opts.repo);
  const tag = nodeImageTag(await readFile(script, 'utf8'));
  const previousId = await imageId(docker, tag);
  if (previousId && !opts.rebuild) return tag;
  await progress.step(`Building node image ${tag} (debootstrap; packages cached in ${opts.cacheDir})`, () => runBuild(script, tag, opts.cacheDir, progress));
  await removeReplacedImages(docker, tag, previousId);
  return tag;
}
