/**
 * `tug cluster load-image`: copies images from the host's engine into the engine of every node of
 * a cluster (as `kind load docker-image` does): one `docker save` to a temp file, then
 * `docker exec -i NODE docker load` into all nodes at once. Nodes that already hold the same image
 * id are skipped, so loading again is cheap.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerError, type DockerCli } from './docker-cli.js';
import { LABEL_CLUSTER } from './names.js';
import type { Progress } from './progress.js';

/** The running node containers of `cluster`, by name; rejects when there are none. */
export async function runningNodes(docker: DockerCli, cluster: string): Promise<string[]> {
  const out = await docker.run(['ps', '--filter', `label=${LABEL_CLUSTER}=${cluster}`, '--filter', 'status=running', '--format', '{{.Names}}']);
  const nodes = out.split('\n').filter(Boolean).sort();
  if (!nodes.length) throw new Error(`cluster "${cluster}" has no running nodes (tug cluster list shows the clusters)`);
  return nodes;
}

/** Image id of each of `images` in an engine reached by `inspect` (one argument list, ids in order); undefined for a missing one. */
async function imageIds(inspect: (args: string[]) => Promise<string>, images: string[]): Promise<(string | undefined)[]> {
  return Promise.all(
    images.map(async (image) => {
      try {
        return (await inspect(['image', 'inspect', '--format', '{{.Id}}', image])).trim();
      } catch (err) {
        if (err instanceof DockerError && /no such image/i.test(err.stderr)) return undefined;
        throw err;
      }
    }),
  );
}

/** Loads `images` into every running node of `cluster`. Rejects naming any image the host lacks. */
export async function loadImages(docker: DockerCli, cluster: string, images: string[], progress: Progress): Promise<void> {
  if (!images.length) throw new Error('name at least one image to load');
  const nodes = await runningNodes(docker, cluster);
  const hostIds = await imageIds((args) => docker.run(args), images);
  const missing = images.filter((_, i) => !hostIds[i]);
  if (missing.length) throw new Error(`not in the host's Docker engine: ${missing.join(', ')} (build or pull it there first)`);
  const targets = (
    await Promise.all(
      nodes.map(async (node) => {
        const ids = await imageIds((args) => docker.run(['exec', node, 'docker', ...args]), images);
        return ids.every((id, i) => id === hostIds[i]) ? undefined : node;
      }),
    )
  ).filter((n): n is string => !!n);
  if (!targets.length) {
    progress.note(`every node already has ${images.join(', ')}`);
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-load-image-'));
  try {
    const archive = path.join(dir, 'images.tar');
    await docker.run(['save', '--output', archive, ...images]);
    await progress.step(`Loading ${images.join(', ')} into ${targets.join(', ')}`, () =>
      Promise.all(targets.map((node) => docker.run(['exec', '--interactive', node, 'docker', 'load', '--quiet'], { input: createReadStream(archive) }))),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
