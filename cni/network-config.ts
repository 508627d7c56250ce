/**
 * Tugboat's default pod network on a node: one configuration list with tug-bridge (gateway and
 * default route on the bridge, masquerade to outside the cluster's pod network, hairpin) over
 * tug-host-local IPAM of the node's podCIDR.
 * hostPort would be served by chaining a `portmap`-style plugin with the portMappings capability
 * after tug-bridge (the invoker already passes capability arguments); not part of the default yet.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatCIDR, networkAddress, parseCIDR } from './ip.js';
import type { NetConfList } from './types.js';

export const TUGBOAT_NETWORK = 'tugboat';
export const TUGBOAT_CONF_FILE = '10-tugboat.conflist';

export interface TugboatNetworkOptions {
  /** Network name (default "tugboat"); host-local state and firewall rules are keyed by it. */
  name?: string;
  /** The node's pod subnet (node.spec.podCIDR), IPv4. */
  podCIDR: string;
  /** Bridge name, e.g. "tug0". */
  bridge: string;
  mtu?: number;
  /** The cluster-wide pod CIDR: traffic to it is not masqueraded (pods see each other's addresses). */
  clusterCIDR?: string;
  /** host-local's state directory (default /var/lib/cni/networks). */
  dataDir?: string;
}

function ipv4Subnet(text: string, field: string): string {
  const cidr = parseCIDR(text);
  if (!cidr || cidr.ip.family !== 4) throw new Error(`${field} must be an IPv4 CIDR, got ${JSON.stringify(text)}`);
  return formatCIDR({ ip: networkAddress(cidr), prefix: cidr.prefix });
}

/** The configuration list for `opts`. Throws on a malformed CIDR. */
export function tugboatNetworkConfig(opts: TugboatNetworkOptions): NetConfList {
  const subnet = ipv4Subnet(opts.podCIDR, 'podCIDR');
  const exclude = opts.clusterCIDR ? [ipv4Subnet(opts.clusterCIDR, 'clusterCIDR')] : [];
  const name = opts.name ?? TUGBOAT_NETWORK;
  return {
    cniVersion: '1.0.0',
    name,
    plugins: [
      {
        cniVersion: '1.0.0',
        name,
        type: 'tug-bridge',
        bridge: opts.bridge,
        isDefaultGateway: true,
        ipMasq: true,
        ...(exclude.length ? { ipMasqExclude: exclude } : {}),
        hairpinMode: true,
        ...(opts.mtu ? { mtu: opts.mtu } : {}),
        ipam: { type: 'tug-host-local', ranges: [[{ subnet }]], ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) },
      },
    ],
  };
}

/** Writes the configuration list to dir/10-tugboat.conflist (atomically) and returns its path. */
export async function writeNetworkConfig(dir: string, opts: TugboatNetworkOptions): Promise<string> {
  const conf = tugboatNetworkConfig(opts);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, TUGBOAT_CONF_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(conf, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
  return file;
}
