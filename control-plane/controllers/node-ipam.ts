/**
 * Node IPAM: gives every node a pod CIDR (a /24 of the cluster CIDR, 10.244.0.0/16 by default) in
 * spec.podCIDR(s), once; the agent builds its pod network from it. A CIDR is never handed to two
 * nodes: taken ones are read from the nodes themselves, so the controller keeps no state.
 */
import { RESOURCES } from '../api/registry.js';
import { runController, type ControllerHandle } from '../client/controller.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerContext } from './context.js';

export interface NodeIpamConfig {
  clusterCIDR: string;
  /** Prefix length of each node's CIDR. */
  nodeMaskSize: number;
}

export const DEFAULT_NODE_IPAM: NodeIpamConfig = { clusterCIDR: '10.244.0.0/16', nodeMaskSize: 24 };

const nodes = RESOURCES.find((r) => r.plural === 'nodes')!;

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The first node CIDR of `cfg` that is not in `taken`, or undefined when all are used. Pure. */
export function nextFreeCIDR(cfg: NodeIpamConfig, taken: Set<string>): string | undefined {
  const [base, bits] = cfg.clusterCIDR.split('/');
  const clusterSize = 2 ** (32 - Number(bits));
  const nodeSize = 2 ** (32 - cfg.nodeMaskSize);
  const start = Math.floor(ipToInt(base!) / clusterSize) * clusterSize;
  for (let n = start; n < start + clusterSize; n += nodeSize) {
    const cidr = `${intToIp(n)}/${cfg.nodeMaskSize}`;
    if (!taken.has(cidr)) return cidr;
  }
  return undefined;
}

export function startNodeIpamController(ctx: ControllerContext, cfg: NodeIpamConfig = DEFAULT_NODE_IPAM): ControllerHandle {
  const { client, logger: log } = ctx;
  const nodeInformer = ctx.informers.of('core/nodes');
  const queue = new WorkQueue();
  const enqueue = (node: any) => {
    if (!node.spec?.podCIDR) queue.add(node.metadata.name);
  };
  nodeInformer.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  // One worker: allocations are decided one at a time against the informer's view.
  return runController(
    'node-ipam',
    queue,
    async (name) => {
      const node = nodeInformer.get(name);
      if (!node || node.spec?.podCIDR) return;
      const taken = new Set(nodeInformer.list().flatMap((n: any) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])));
      const cidr = nextFreeCIDR(cfg, taken);
      if (!cidr) {
        log.error({ node: name, clusterCIDR: cfg.clusterCIDR }, 'no pod CIDR left for the node: enlarge the cluster CIDR');
        return { requeueAfterMs: 60_000 };
      }
      // resourceVersion makes the write conditional: a concurrent allocation makes it fail and retry.
      await client.patch(nodes, undefined, name, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      log.info({ node: name, podCIDR: cidr }, 'pod CIDR assigned');
    },
    log,
    1,
  );
}
