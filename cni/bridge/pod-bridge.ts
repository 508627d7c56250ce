/**
 * The node's pod bridge made ready before its first pod: tug-bridge creates it on the first ADD,
 * but the agent's DNS server must listen on the gateway address from the start, so the agent
 * creates the same bridge with the same gateway (the podCIDR's first address, as tug-bridge picks
 * when IPAM names none). tug-bridge tolerates both existing.
 */
import { formatIP, networkAddress, offset, parseCIDR } from '../ip.js';
import { runBatch } from './links.js';
import type { NetOps } from './netops.js';

/** The gateway address of `podCIDR` on the pod bridge: its first address. Throws on a malformed CIDR. */
export function podGateway(podCIDR: string): { address: string; prefix: number } {
  const cidr = parseCIDR(podCIDR);
  if (!cidr || cidr.ip.family !== 4) throw new Error(`pod CIDR must be an IPv4 CIDR, got ${JSON.stringify(podCIDR)}`);
  return { address: formatIP(offset(networkAddress(cidr), 1n)), prefix: cidr.prefix };
}

/** Creates `bridge` unless it exists, brings it up and gives it the gateway address of `podCIDR`. Idempotent; resolves with that address. */
export async function ensurePodBridge(ops: NetOps, bridge: string, podCIDR: string): Promise<string> {
  const gateway = podGateway(podCIDR);
  await runBatch(ops, [
    { args: ['link', 'add', 'name', bridge, 'type', 'bridge'], tolerateExists: true },
    { args: ['link', 'set', 'dev', bridge, 'up'] },
    { args: ['addr', 'add', `${gateway.address}/${gateway.prefix}`, 'dev', bridge], tolerateExists: true },
  ]);
  return gateway.address;
}
