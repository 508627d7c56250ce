/**
 * tug-bridge's configuration: the reference bridge plugin's field names where they mean the same.
 * - bridge (default "tug0"): the Linux bridge every container of the network is attached to.
 * - isGateway: the bridge gets the subnet's gateway address (and the host forwards IPv4).
 * - isDefaultGateway: isGateway, plus a default route via the gateway in the container.
 * - ipMasq: masquerade traffic from the pod subnet to destinations outside it (ipMasqExclude lists
 *   further destinations left alone, e.g. the cluster-wide pod CIDR, so pod-to-pod traffic across
 *   nodes keeps its source address).
 * - hairpinMode: a container can reach itself through the bridge (e.g. via a Service address).
 * - mtu: MTU of the veth pair (and of the bridge when this plugin creates it).
 * - ipam: required; `ipam.type` names the IPAM plugin found on CNI_PATH.
 * Problems are InvalidConfig (7) CniErrors naming the field.
 */
import { invalidConfig } from '../errors.js';
import { parseCIDR } from '../ip.js';
import { validIfName } from '../skel.js';
import type { NetConf } from '../types.js';

export const DEFAULT_BRIDGE = 'tug0';

export interface BridgeConfig {
  bridge: string;
  isGateway: boolean;
  isDefaultGateway: boolean;
  ipMasq: boolean;
  ipMasqExclude: string[];
  hairpinMode: boolean;
  mtu?: number;
  ipamType: string;
}

function bool(conf: NetConf, field: string): boolean {
  const v = conf[field];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw invalidConfig(`${field} must be a boolean`, JSON.stringify(v));
  return v;
}

export function parseBridgeConfig(conf: NetConf): BridgeConfig {
  const bridge = conf.bridge ?? DEFAULT_BRIDGE;
  if (typeof bridge !== 'string' || !validIfName(bridge)) throw invalidConfig('invalid bridge name', JSON.stringify(bridge));
  const mtu = conf.mtu;
  if (mtu !== undefined && mtu !== 0 && (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535)) {
    throw invalidConfig('mtu must be an integer between 68 and 65535', JSON.stringify(mtu));
  }
  const exclude = conf.ipMasqExclude ?? [];
  if (!Array.isArray(exclude) || !exclude.every((c) => typeof c === 'string' && parseCIDR(c)?.ip.family === 4)) {
    throw invalidConfig('ipMasqExclude must be a list of IPv4 CIDRs', JSON.stringify(exclude));
  }
  const ipamType = conf.ipam?.type;
  if (typeof ipamType !== 'string' || ipamType === '') throw invalidConfig('ipam.type is required');
  const isDefaultGateway = bool(conf, 'isDefaultGateway');
  return {
    bridge,
    isGateway: bool(conf, 'isGateway') || isDefaultGateway,
    isDefaultGateway,
    ipMasq: bool(conf, 'ipMasq'),
    ipMasqExclude: exclude as string[],
    hairpinMode: bool(conf, 'hairpinMode'),
    ...(mtu ? { mtu: mtu as number } : {}),
    ipamType,
  };
}
