/**
 * `tug cluster delete`: removes every container, network and volume labelled with the cluster's
 * name (also the remains of a failed create) and its kubeconfig context. Idempotent: deleting a
 * cluster that does not exist succeeds and removes nothing.
 */
import { removeKubeconfigEntry } from '../kubeconfig.js';
import type { DockerCli } from './docker-cli.js';
import { contextName, LABEL_CLUSTER, LABEL_KUBECONFIG } from './names.js';
import { NODE_CLEANUP_SCRIPT } from './node-container.js';
import type { Progress } from './progress.js';

export interface DeleteOptions {
  name: string;
  /** The kubeconfig to remove the context from; default: the one create recorded on the first node. */
  kubeconfig?: string;
}

export interface DeleteResult {
  containers: number;
  networks: number;
  volumes: number;
  /** The kubeconfig the context was removed from, if it was there. */
  kubeconfig?: string;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** Deletes the cluster; see the module comment. */
export async function deleteCluster(docker: DockerCli, opts: DeleteOptions, progress: Progress): Promise<DeleteResult> {
  const filter = ['--filter', `label=${LABEL_CLUSTER}=${opts.name}`];
  const containers = lines(await docker.run(['ps', '--all', '--format', `{{.Names}}\t{{.State}}\t{{.Label "${LABEL_KUBECONFIG}"}}`, ...filter])).map((l) => l.split('\t'));
  const recorded = containers.map((c) => c[2]).find((k) => k);
  const kubeconfig = opts.kubeconfig ?? recorded;
  if (containers.length) {
    await progress.step(`Removing ${containers.length} node container${containers.length > 1 ? 's' : ''}`, async () => {
      // The pods' cgroups live in the host's hierarchy: the node removes them first (best effort; stopped nodes are skipped).
      await Promise.all(containers.filter((c) => c[1] === 'running').map((c) => docker.run(['exec', c[0]!, NODE_CLEANUP_SCRIPT]).catch(() => undefined)));
      await docker.run(['rm', '--force', '--volumes', ...containers.map((c) => c[0]!)]);
    });
  }
  const networks = lines(await docker.run(['network', 'ls', '--quiet', ...filter]));
  if (networks.length) await docker.run(['network', 'rm', ...networks]);
  const volumes = lines(await docker.run(['volume', 'ls', '--quiet', ...filter]));
  if (volumes.length) await docker.run(['volume', 'rm', '--force', ...volumes]);
  const removedContext = kubeconfig ? await removeKubeconfigEntry(kubeconfig, contextName(opts.name)) : false;
  return { containers: containers.length, networks: networks.length, volumes: volumes.length, kubeconfig: removedContext ? kubeconfig : undefined };
}
