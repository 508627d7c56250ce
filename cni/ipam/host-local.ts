/**
 * tug-host-local: IPAM from ranges configured per network, state in files on this host (store.ts).
 * ADD reserves one address per range set (the same ones again if the container already holds them),
 * DEL frees what (container id, ifname) holds and is idempotent, CHECK fails unless the container
 * holds an address in every set. Exhaustion is RangeExhausted (100).
 */
import { CniError } from '../errors.js';
import { formatCIDR, formatIP } from '../ip.js';
import type { PluginHandlers } from '../skel.js';
import { ErrorCode, type CniArgs, type IPConfig, type NetConf, type Result } from '../types.js';
import { findOwned, pickFree, type Owner, type Pick } from './allocator.js';
import { parseIpamConfig } from './config.js';
import { DiskStore } from './store.js';

const ownerOf = (args: CniArgs): Owner => ({ containerId: args.containerId, ifName: args.ifName });

function ipConfig(pick: Pick): IPConfig {
  return { address: `${formatIP(pick.ip)}/${pick.range.subnet.prefix}`, gateway: formatIP(pick.range.gateway) };
}

async function add(conf: NetConf, args: CniArgs): Promise<Result> {
  const config = parseIpamConfig(conf);
  const store = new DiskStore(config.dir);
  const owner = ownerOf(args);
  const ips = await store.locked(async () => {
    const reserved = await store.reservations();
    const picks: Pick[] = [];
    const fresh: Pick[] = [];
    try {
      for (const [index, set] of config.rangeSets.entries()) {
        const owned = findOwned(set, reserved, owner);
        if (owned) {
          picks.push(owned);
          continue;
        }
        const pick = pickFree(set, reserved, await store.lastReserved(index));
        if (!pick) throw new CniError(ErrorCode.RangeExhausted, 'no IP addresses available in range set', set.map((r) => formatCIDR(r.subnet)).join(', '));
        await store.reserve(pick.ip, owner, index);
        picks.push(pick);
        fresh.push(pick);
      }
    } catch (err) {
      // all or nothing: a later set failing frees what earlier sets reserved in this call
      for (const p of fresh) await store.release(p.ip);
      throw err;
    }
    return picks.map(ipConfig);
  });
  return { cniVersion: conf.cniVersion, ips, ...(config.routes.length ? { routes: config.routes } : {}) };
}

async function del(conf: NetConf, args: CniArgs): Promise<void> {
  const store = new DiskStore(parseIpamConfig(conf).dir);
  await store.locked(() => store.releaseOwner(ownerOf(args)));
}

async function check(conf: NetConf, args: CniArgs): Promise<void> {
  const config = parseIpamConfig(conf);
  const store = new DiskStore(config.dir);
  const reserved = await store.locked(() => store.reservations());
  for (const set of config.rangeSets) {
    if (!findOwned(set, reserved, ownerOf(args))) {
      throw new CniError(ErrorCode.CheckFailed, 'no address reserved for the container', `${args.containerId}/${args.ifName}`);
    }
  }
}

export const hostLocal: PluginHandlers = { add, del, check };
