/**
 * How pod traffic crosses between nodes. Each node's pods sit on its own bridge in the node's
 * podCIDR (cni/); a network backend makes the other nodes' podCIDRs reachable from this one, and
 * keeps that in step with the Nodes as they come, change and go. host-gw (host-gw.ts) routes each
 * podCIDR via its node's InternalIP and needs the nodes on one L2 segment; an overlay (VXLAN) for
 * hosts that are not may follow behind the same interface.
 */
export interface NetworkBackend {
  /** The name `tug agent --network-backend` takes, e.g. "host-gw". */
  readonly name: string;
  /**
   * Stops following the Nodes, after the change being applied (if any) is done. What the backend
   * installed on the host stays, so this node's pods keep reaching other nodes' pods (and they
   * these) while the agent restarts; a restarted agent finds it and reconciles it. `removeRoutes`
   * removes it too: the node is leaving the cluster. Rejects when that removal fails.
   */
  stop(opts?: { removeRoutes?: boolean }): Promise<void>;
}
