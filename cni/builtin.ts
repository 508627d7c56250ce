/**
 * Tugboat's own plugins as libraries, by type (the names of their executables in cni/bin):
 * tug-bridge, with its IPAM delegation, and tug-host-local. The executables (plugins/*.ts) run
 * these factories on their process environment; the invoker runs them in-process when given
 * builtinPlugins(), saving two Node process starts per ADD and DEL.
 */
import { bridgePlugin } from './bridge/bridge.js';
import { Firewall } from './bridge/firewall.js';
import { createNetOps } from './bridge/netops.js';
import { createIpamDelegate } from './delegate.js';
import type { PluginFactory } from './in-process.js';
import { hostLocal } from './ipam/host-local.js';

/** Serialises firewall edits of all tug-bridge runs on this host, in-process or not. */
export const FIREWALL_LOCK = '/run/tug-cni/firewall.lock';

/** tug-host-local: IPAM over files on this host (ipam/host-local.ts). */
export const tugHostLocal: PluginFactory = () => hostLocal;

/**
 * tug-bridge (bridge/bridge.ts) with the real OS boundary and firewall; its IPAM plugin runs
 * in-process when `ipamBuiltins` has its type, else as the executable found in CNI_PATH.
 */
export function tugBridge(ipamBuiltins: ReadonlyMap<string, PluginFactory> = new Map()): PluginFactory {
  return (env) => {
    const ops = createNetOps();
    return bridgePlugin({ ops, ipam: createIpamDelegate(env, ipamBuiltins), firewall: new Firewall(ops, FIREWALL_LOCK) });
  };
}

/** Both plugins, tug-bridge delegating to tug-host-local in-process. */
export function builtinPlugins(): ReadonlyMap<string, PluginFactory> {
  const ipam = new Map([['tug-host-local', tugHostLocal]]);
  return new Map([...ipam, ['tug-bridge', tugBridge(ipam)]]);
}
