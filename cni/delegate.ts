/**
 * Delegation to an IPAM plugin as the spec describes it: the main plugin runs the plugin named by
 * `ipam.type` — the executable of that name from CNI_PATH, or, for types in `builtins`, the same
 * plugin in this process (in-process.ts) — with its own environment (only CNI_COMMAND changed) and
 * the same network configuration on stdin. Errors of the IPAM plugin come back as its CniError.
 */
import { execPlugin, findPlugin } from './exec.js';
import { runInProcess, type PluginFactory } from './in-process.js';
import type { CniArgs, NetConf, Result } from './types.js';
import { decodeResult } from './version.js';

export interface IpamDelegate {
  add(conf: NetConf, args: CniArgs): Promise<Result>;
  del(conf: NetConf, args: CniArgs): Promise<void>;
  check(conf: NetConf, args: CniArgs): Promise<void>;
}

/** How long one IPAM call may take before it is killed. */
const IPAM_TIMEOUT_MS = 60_000;

/** A delegate that runs IPAM plugins with `env` (the main plugin's environment) as the base. */
export function createIpamDelegate(env: NodeJS.ProcessEnv, builtins: ReadonlyMap<string, PluginFactory> = new Map()): IpamDelegate {
  const call = async (command: 'ADD' | 'DEL' | 'CHECK', conf: NetConf, args: CniArgs): Promise<unknown> => {
    const type = conf.ipam?.type ?? '';
    const childEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
    childEnv.CNI_COMMAND = command;
    const builtin = builtins.get(type);
    if (builtin) return runInProcess(type, builtin, childEnv, conf, IPAM_TIMEOUT_MS);
    return execPlugin(await findPlugin(type, args.path), childEnv, conf, IPAM_TIMEOUT_MS);
  };
  return {
    add: async (conf, args) => decodeResult(await call('ADD', conf, args)),
    del: async (conf, args) => {
      await call('DEL', conf, args);
    },
    check: async (conf, args) => {
      await call('CHECK', conf, args);
    },
  };
}
