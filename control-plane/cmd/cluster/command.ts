/**
 * `tug cluster …`: multi-node clusters as Docker containers on this host (like kind). Parses the
 * subcommand's flags and composes the parts; progress goes to stderr, results to stdout.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { createCluster } from './create.js';
import { deleteCluster } from './delete.js';
import { createDockerCli } from './docker-cli.js';
import { detectNvidiaDevices } from './gpu.js';
import { listClusters } from './list.js';
import { loadImages } from './load-image.js';
import { contextName } from './names.js';
import { readHostRoutes } from './network.js';
import { privilegedLikely } from './node-container.js';
import { createProgress } from './progress.js';

export const CLUSTER_USAGE = `Usage: tug cluster <create|delete|load-image|list> [flags]

  create      Create a cluster of node containers (Docker-in-Docker) and wait until every node is Ready
  delete      Remove a cluster's containers, network, volumes and kubeconfig context
  load-image  Copy images from this host's Docker engine into every node: tug cluster load-image IMAGE…
  list        List the clusters

Flags:
  --name NAME        Cluster name (default tugboat); nodes are NAME-control-plane, NAME-worker, NAME-worker2, …
  --nodes N          (create) Number of nodes, the first one runs the control plane (default 1)
  --kubeconfig PATH  (create, delete) Kubeconfig to merge the context tugboat-NAME into (default ~/.kube/config)
  --image IMAGE      (create) Node image to use instead of the locally built tugboat/node image
  --rebuild          (create) Rebuild the node image from the package cache first
  --cache-dir DIR    (create) Package cache of the node image build (default /var/cache/tugboat/node-image as root)
  --wait SECONDS     (create) How long to wait for the nodes to be Ready (default 180)
  --retain           (create) Keep the containers when create fails, for debugging
  --log-level LEVEL  Log level of the debug log on stderr (default warn)
`;

export interface ClusterCommandContext {
  homeDir: string;
  /** True when running as root (the default package cache moves to the home dir otherwise). */
  isRoot: boolean;
  logger(level: string): Logger;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** The repository root: dist/control-plane/cmd/cluster/ is four levels below it. */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

class UsageError extends Error {}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** Runs `tug cluster args…`; resolves with the process exit code (2 for usage errors). */
export async function clusterCommand(args: string[], ctx: ClusterCommandContext): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    ctx.stdout.write(CLUSTER_USAGE);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: sub === 'load-image',
      strict: true,
      options: {
        name: { type: 'string' },
        nodes: { type: 'string' },
        kubeconfig: { type: 'string' },
        image: { type: 'string' },
        rebuild: { type: 'boolean' },
        'cache-dir': { type: 'string' },
        wait: { type: 'string' },
        retain: { type: 'boolean' },
        'log-level': { type: 'string' },
      },
    });
    const log = ctx.logger(values['log-level'] ?? 'warn').child({ component: 'cluster' });
    const docker = createDockerCli(log);
    const progress = createProgress(ctx.stderr);
    const name = values.name ?? 'tugboat';
    const kubeconfig = values.kubeconfig && path.resolve(values.kubeconfig);
    switch (sub) {
      case 'create': {
        const started = performance.now();
        const cluster = await createCluster(
          docker,
          {
            name,
            nodes: positive('--nodes', values.nodes, 1),
            kubeconfig: kubeconfig ?? path.join(ctx.homeDir, '.kube', 'config'),
            image: values.image,
            rebuild: values.rebuild ?? false,
            cacheDir: path.resolve(values['cache-dir'] ?? (ctx.isRoot ? '/var/cache/tugboat/node-image' : path.join(ctx.homeDir, '.cache', 'tugboat', 'node-image'))),
            repo: REPO,
            nodeBinary: process.execPath,
            waitMs: positive('--wait', values.wait, 180) * 1000,
            retain: values.retain ?? false,
            hostRoutes: readHostRoutes,
            devices: detectNvidiaDevices,
            privilegedLikely,
          },
          progress,
          log,
        );
        ctx.stdout.write(
          `Cluster "${cluster.name}" is ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${plural(cluster.nodes.length, 'node')}, API server ${cluster.server}\n` +
            `Try: kubectl${kubeconfig ? ` --kubeconfig ${kubeconfig}` : ''} --context ${cluster.context} get nodes\n`,
        );
        return 0;
      }
      case 'delete': {
        const r = await deleteCluster(docker, { name, kubeconfig }, progress);
        const context = r.kubeconfig ? `, context ${contextName(name)} from ${r.kubeconfig}` : '';
        ctx.stdout.write(r.containers + r.networks + r.volumes ? `Deleted cluster "${name}": ${plural(r.containers, 'container')}, ${plural(r.networks, 'network')}, ${plural(r.volumes, 'volume')}${context}\n` : `No cluster "${name}"\n`);
        return 0;
      }
      case 'load-image':
        await loadImages(docker, name, positionals, progress);
        return 0;
      case 'list': {
        const clusters = await listClusters(docker);
        ctx.stdout.write(clusters.length ? clusters.map((c) => `${c.name}\t${plural(c.nodes, 'node')}, ${c.running} running\n`).join('') : 'No clusters\n');
        return 0;
      }
      default:
        throw new UsageError(`unknown cluster command "${sub}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      ctx.stderr.write(`tug cluster: ${(err as Error).message}\n\n${CLUSTER_USAGE}`);
      return 2;
    }
    ctx.stderr.write(`tug cluster ${sub}: ${(err as Error).message}\n`);
    return 1;
  }
}
