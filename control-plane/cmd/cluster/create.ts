/**
 * `tug cluster create`: a cluster of `nodes` node containers on one user-defined Docker network.
 * The first node runs redis-server, `tug server` and an agent; every other node an agent joined to
 * it. Blocks until every node is Ready (or the deadline passes), then writes the kubeconfig
 * context tugboat-<name>. On failure everything created is removed again unless `retain`.
 */
import type { Logger } from 'pino';
import { writeKubeconfig } from '../kubeconfig.js';
import { waitForControlPlane, waitForReadyNodes } from './control-plane.js';
import { deleteCluster } from './delete.js';
import type { DockerCli } from './docker-cli.js';
import { ensureNodeImage } from './image.js';
import { createJoinToken, writeJoinConfig } from './join.js';
import { checkClusterName, contextName, LABEL_CLUSTER, LABEL_KUBECONFIG, networkName, nodeNames, type NodeName } from './names.js';
import { createClusterNetwork, hostAddress } from './network.js';
import { startNodeContainer, type NodeContainerSpec, type SecurityMode } from './node-container.js';
import type { Progress } from './progress.js';

export interface CreateOptions {
  name: string;
  nodes: number;
  /** Kubeconfig file to merge the context tugboat-<name> into. */
  kubeconfig: string;
  /** A node image to use instead of the built one. */
  image?: string;
  /** Rebuild the node image even when it exists. */
  rebuild: boolean;
  /** Package cache of the image build. */
  cacheDir: string;
  /** This repository (bind-mounted into the nodes) and the node binary to run it with. */
  repo: string;
  nodeBinary: string;
  /** How long to wait for the control plane and for all nodes to be Ready, in ms. */
  waitMs: number;
  /** Keep what was created when create fails (for debugging). */
  retain: boolean;
  /** CIDRs the host routes (avoided for the cluster subnet). */
  hostRoutes: () => Promise<string[]>;
  /** Device nodes to pass into every node (GPUs). */
  devices: () => Promise<string[]>;
  /** Whether to try --privileged before the capability list (see privilegedLikely). */
  privilegedLikely: () => Promise<boolean>;
}

export interface ClusterNode extends NodeName {
  ip: string;
}

export interface CreatedCluster {
  name: string;
  server: string;
  context: string;
  nodes: ClusterNode[];
}

async function clusterExists(docker: DockerCli, name: string): Promise<boolean> {
  const containers = await docker.run(['ps', '--all', '--quiet', '--filter', `label=${LABEL_CLUSTER}=${name}`]);
  const networks = await docker.run(['network', 'ls', '--quiet', '--filter', `name=^${networkName(name)}$`]);
  return (containers + networks).trim() !== '';
}

async function createNodes(docker: DockerCli, opts: CreateOptions, progress: Progress, log: Logger): Promise<CreatedCluster> {
  const image = await ensureNodeImage(docker, { repo: opts.repo, cacheDir: opts.cacheDir, rebuild: opts.rebuild, image: opts.image }, progress);
  const network = await progress.step(`Creating network ${networkName(opts.name)}`, () => createClusterNetwork(docker, opts.name, opts.hostRoutes));
  const nodes: ClusterNode[] = nodeNames(opts.name, opts.nodes).map((n, i) => ({ ...n, ip: hostAddress(network.subnet, i + 2) }));
  const devices = await opts.devices();
  if (devices.length) progress.note(`passing GPU devices into the nodes: ${devices.join(' ')}`);
  const spec = (node: ClusterNode): NodeContainerSpec => ({
    cluster: opts.name, node, network: network.name, ip: node.ip, image, nodeBinary: opts.nodeBinary, repo: opts.repo, devices,
    labels: node.role === 'control-plane' ? { [LABEL_KUBECONFIG]: opts.kubeconfig } : {},
  });
  const [first, ...rest] = nodes as [ClusterNode, ...ClusterNode[]];
  await progress.step(`Starting ${nodes.length} node container${nodes.length === 1 ? '' : 's'} (${image})`, async () => {
    const mode: SecurityMode = await startNodeContainer(docker, spec(first), (await opts.privilegedLikely()) ? 'auto' : 'capabilities', log);
    if (mode === 'capabilities') progress.note('no --privileged here (a capability is missing from the bounding set): nodes run with an explicit capability list');
    await Promise.all(rest.map((n) => startNodeContainer(docker, spec(n), mode, log)));
  });
  const deadline = Date.now() + opts.waitMs;
  const access = await progress.step(`Starting the control plane in ${first.name}`, () => waitForControlPlane(docker, first.name, first.ip, deadline));
  await progress.step('Joining the node agents with a bootstrap token', async () => {
    const join = await createJoinToken(access);
    await Promise.all(nodes.map((n) => writeJoinConfig(docker, join, n)));
  });
  const context = contextName(opts.name);
  await writeKubeconfig(opts.kubeconfig, { name: context, server: access.server, caCertPem: access.caCertPem, token: access.adminToken });
  progress.note(`kubeconfig: context ${context} in ${opts.kubeconfig}`);
  await progress.step(`Waiting for ${nodes.length} node${nodes.length === 1 ? '' : 's'} to be Ready`, () =>
    waitForReadyNodes(access, nodes.map((n) => n.name), deadline, (n) => progress.note(`${n} Ready`)),
  );
  return { name: opts.name, server: access.server, context, nodes };
}

/** Creates the cluster; see the module comment. Rejects when a cluster of that name exists. */
export async function createCluster(docker: DockerCli, opts: CreateOptions, progress: Progress, log: Logger): Promise<CreatedCluster> {
  checkClusterName(opts.name);
  nodeNames(opts.name, opts.nodes); // validates the count before anything is created
  if (await clusterExists(docker, opts.name)) throw new Error(`cluster "${opts.name}" exists: delete it first (tug cluster delete --name ${opts.name})`);
  try {
    return await createNodes(docker, opts, progress, log);
  } catch (err) {
    if (opts.retain) {
      progress.note(`keeping what was created (--retain); remove it with: tug cluster delete --name ${opts.name}`);
    } else {
      progress.note('removing what was created (pass --retain to keep it for debugging)');
      await deleteCluster(docker, { name: opts.name, kubeconfig: opts.kubeconfig }, progress).catch((e) => log.error({ err: (e as Error).message }, 'cleanup after the failed create failed'));
    }
    throw err;
  }
}
