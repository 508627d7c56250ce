/**
 * The network backends a node agent can run, by the name `tug agent --network-backend` takes:
 * - host-gw (the default): routes to the other nodes' pods via their InternalIPs (host-gw.ts);
 * - none: nothing; pods reach only pods on their own node, unless something else routes the
 *   cluster CIDR (a single node, or routes set up by the host's own means).
 */
import type { NetworkBackend } from './backend.js';
import { startHostGw, type HostGwOptions } from './host-gw.js';

export type { NetworkBackend } from './backend.js';

export const NETWORK_BACKENDS = ['host-gw', 'none'] as const;
export type NetworkBackendName = (typeof NETWORK_BACKENDS)[number];

/** Starts the named backend (see startHostGw for what resolving means). */
export async function startNetworkBackend(name: NetworkBackendName, opts: HostGwOptions): Promise<NetworkBackend> {
  if (name === 'none') return { name, stop: async () => undefined };
  return startHostGw(opts);
}
