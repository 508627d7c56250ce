/**
 * How a `tug cluster` is named in Docker and in kubeconfig: every container, network and volume
 * of cluster N carries the label dev.tugboat.cluster=N, so that list and delete find all of it
 * (also what a failed create left behind) without any state outside Docker.
 */

export const LABEL_CLUSTER = 'dev.tugboat.cluster';
/** control-plane or worker. */
export const LABEL_ROLE = 'dev.tugboat.role';
/** On the control-plane container: the kubeconfig file create wrote, for delete. */
export const LABEL_KUBECONFIG = 'dev.tugboat.kubeconfig';

export type NodeRole = 'control-plane' | 'worker';

export interface NodeName {
  name: string;
  role: NodeRole;
}

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** Throws unless `name` can name a cluster (a DNS label of up to 40 characters: node names are hostnames). */
export function checkClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw new Error(`cluster name "${name}" is not valid: use 1-40 lower-case letters, digits and '-', starting and ending with a letter or digit`);
  }
}

/** The nodes of a cluster of `count` nodes, as kind names them: N-control-plane, N-worker, N-worker2, … */
export function nodeNames(cluster: string, count: number): NodeName[] {
  if (!Number.isInteger(count) || count < 1 || count > 200) throw new Error(`--nodes must be an integer from 1 to 200, got ${count}`);
  return Array.from({ length: count }, (_, i): NodeName =>
    i === 0 ? { name: `${cluster}-control-plane`, role: 'control-plane' } : { name: `${cluster}-worker${i === 1 ? '' : i}`, role: 'worker' },
  );
}

/** The cluster's user-defined Docker network. */
export const networkName = (cluster: string) => `tugboat-${cluster}`;

/** The volume holding a node's /var/lib/docker (the nested engine needs a non-overlay filesystem). */
export const dockerVolumeName = (node: string) => `${node}-var-lib-docker`;

/** The cluster, user and context name in kubeconfig. */
export const contextName = (cluster: string) => `tugboat-${cluster}`;
