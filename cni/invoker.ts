/**
 * The CNI runtime side the agent uses to wire pod sandboxes: runs the configured network's plugins
 * (any CNI-spec executables found in binDirs; plugin types given as `builtins` run in this process
 * instead, with the same configuration, environment, result and errors) for ADD, CHECK and DEL as
 * the spec prescribes:
 * - a configuration list runs in order for ADD, each plugin given the previous one's result as
 *   prevResult, and in reverse for DEL; every plugin gets the list's name and negotiated cniVersion;
 *   capability arguments go to plugins that declare the capability, in runtimeConfig;
 * - each plugin is asked (VERSION, once per invoker and plugin) whether it speaks the version;
 * - ADD results are cached (result-cache.ts) for CHECK and DEL, which get them as prevResult and run
 *   the configuration the ADD ran with.
 * Failures are CniErrors naming the plugin. Each plugin run is killed after timeoutMs
 * (TryAgainLater; an in-process one is only no longer waited for). Calls for different containers may run concurrently; the caller runs at most one
 * call at a time per container.
 */
import type { Logger } from 'pino';
import { CniError } from './errors.js';
import { cniEnv, execPlugin, findPlugin } from './exec.js';
import { runInProcess, type PluginFactory } from './in-process.js';
import { loadConfDir, toConfList } from './netconf.js';
import { ResultCache, type AttachmentKey } from './result-cache.js';
import { ErrorCode, type Command, type NetConf, type NetConfList, type Result } from './types.js';
import { decodeResult, supportsCheck } from './version.js';

/** A port mapping in the CNI `portMappings` capability convention (consumed by e.g. `portmap`). */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

/** Capability arguments, passed in runtimeConfig to plugins that declare the capability. */
export interface CapabilityArgs {
  portMappings?: CniPortMapping[];
  [capability: string]: unknown;
}

export interface AttachmentParams {
  containerId: string;
  /** Path of the sandbox's network namespace (/proc/<pid>/ns/net or a bind mount). */
  netnsPath: string;
  /** Interface name inside the sandbox, usually "eth0". */
  ifName: string;
  /** CNI_ARGS, e.g. { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'web-0' }. */
  args?: Record<string, string>;
  capabilityArgs?: CapabilityArgs;
}

/** DEL may come after the sandbox (and its namespace) is gone. */
export type DetachParams = Omit<AttachmentParams, 'netnsPath'> & { netnsPath?: string };

export interface CniResult extends Result {
  /** The network's name. */
  network: string;
  /** Addresses (without prefix) of the sandbox's interfaces, in the result's order. */
  podIPs: string[];
}

export interface CniInvoker {
  /** Attaches the sandbox. On failure the whole list is DELeted (best effort) before rejecting. */
  add(params: AttachmentParams): Promise<CniResult>;
  /** Detaches; idempotent as the plugins' DEL is. Forgets the cached ADD result on success. */
  del(params: DetachParams): Promise<void>;
  /**
   * Asks the plugins whether the attachment is still as ADD left it. Resolves without running
   * anything when the list disables CHECK; rejects with UnknownContainer when no ADD is cached and
   * with IncompatibleVersion for versions without CHECK.
   */
  check(params: AttachmentParams): Promise<void>;
}

export interface CniInvokerOptions {
  /** A directory of .conf/.conflist/.json files (the lexically first is the network; read per call)… */
  confDir?: string;
  /** …or the configuration itself (a list, or one plugin's configuration). */
  conf?: NetConfList | NetConf;
  /** Directories searched for plugin executables, in order (also passed as CNI_PATH). */
  binDirs: string[];
  logger: Logger;
  /** Limit for one plugin execution (default 60 s). */
  timeoutMs?: number;
  /** Where ADD results are kept (default /var/lib/cni/tugboat/results). */
  cacheDir?: string;
  /** PATH for the plugins (default: the standard system directories). */
  path?: string;
  /**
   * Plugin types run in this process (builtin.ts: builtinPlugins()) rather than as executables;
   * binDirs is still CNI_PATH for what they delegate to. Default: none.
   */
  builtins?: ReadonlyMap<string, PluginFactory>;
}

/** One plugin type, ready to be called with an environment and stdin. */
interface Runnable {
  /** Where it runs from: the executable's path, or `builtin:<type>`. */
  id: string;
  call(env: Record<string, string>, stdin: unknown): Promise<unknown>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CACHE_DIR = '/var/lib/cni/tugboat/results';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** CNI_ARGS text for `args` ("K=V;K2=V2"). */
export function formatCniArgs(args: Record<string, string> | undefined): string {
  return Object.entries(args ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

/** The addresses of `result` that belong to sandbox interfaces (or to no interface in particular). */
export function podIPsOf(result: Result): string[] {
  const interfaces = result.interfaces ?? [];
  return (result.ips ?? [])
    .filter((ip) => ip.interface === undefined || Boolean(interfaces[ip.interface]?.sandbox))
    .map((ip) => ip.address.split('/')[0]!);
}

/** One plugin's stdin: its configuration with the list's name and version, prevResult, runtimeConfig. */
export function pluginConf(list: NetConfList, plugin: NetConf, prevResult: Result | undefined, capabilityArgs: CapabilityArgs | undefined): NetConf {
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, enabled] of Object.entries(plugin.capabilities ?? {})) {
    if (enabled && capabilityArgs?.[capability] !== undefined) runtimeConfig[capability] = capabilityArgs[capability];
  }
  return {
    ...plugin,
    name: list.name,
    cniVersion: list.cniVersion,
    ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}),
    ...(prevResult ? { prevResult } : {}),
  };
}

export function createCniInvoker(opts: CniInvokerOptions): CniInvoker {
  if (!opts.confDir === !opts.conf) throw new Error('createCniInvoker: give exactly one of confDir and conf');
  const log = opts.logger;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cache = new ResultCache(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const basePath = opts.path ?? DEFAULT_PATH;
  /** Plugin (Runnable id) → the versions it reported. */
  const versions = new Map<string, string[]>();
  const fixedConf = opts.conf ? toConfList(opts.conf) : undefined;

  const loadConf = (): Promise<NetConfList> => (fixedConf ? Promise.resolve(fixedConf) : loadConfDir(opts.confDir!));

  function env(command: Command, p: DetachParams): Record<string, string> {
    return {
      PATH: basePath,
      ...cniEnv({ command, containerId: p.containerId, ifName: p.ifName, path: opts.binDirs, args: formatCniArgs(p.args), ...(p.netnsPath ? { netns: p.netnsPath } : {}) }),
    };
  }

  /** The plugin of type `type`: a builtin, else the executable found in binDirs. */
  async function runnable(type: string): Promise<Runnable> {
    const builtin = opts.builtins?.get(type);
    if (builtin) return { id: `builtin:${type}`, call: (e, stdin) => runInProcess(type, builtin, e, stdin, timeoutMs) };
    const file = await findPlugin(type, opts.binDirs);
    return { id: file, call: (e, stdin) => execPlugin(file, e, stdin, timeoutMs) };
  }

  /** Runs one plugin (ADD: resolves with its decoded result); errors come back attributed to it. */
  async function run(command: Command, conf: NetConf, p: DetachParams): Promise<Result | undefined> {
    const started = Date.now();
    try {
      const plugin = await runnable(conf.type);
      await requireVersion(plugin, conf.type, conf.cniVersion, p);
      const out = await plugin.call(env(command, p), conf);
      log.debug({ plugin: conf.type, command, containerId: p.containerId, ms: Date.now() - started }, 'cni plugin finished');
      return command === 'ADD' ? decodeResult(out) : undefined;
    } catch (err) {
      const cniErr = CniError.from(err).withPlugin(conf.type);
      log.debug({ plugin: conf.type, command, containerId: p.containerId, code: cniErr.code, msg: cniErr.msg, details: cniErr.details }, 'cni plugin failed');
      throw cniErr;
    }
  }

  async function requireVersion(plugin: Runnable, type: string, cniVersion: string, p: DetachParams): Promise<void> {
    let supported = versions.get(plugin.id);
    if (!supported) {
      const reply = (await plugin.call(env('VERSION', p), { cniVersion })) as { supportedVersions?: unknown } | undefined;
      const list = reply?.supportedVersions;
      if (!Array.isArray(list)) throw new CniError(ErrorCode.DecodingFailure, 'failed to decode VERSION reply');
      supported = list.filter((v): v is string => typeof v === 'string');
      versions.set(plugin.id, supported);
    }
    if (!supported.includes(cniVersion)) {
      throw new CniError(ErrorCode.IncompatibleVersion, `plugin does not support CNI ${cniVersion}`, `${type} supports ${supported.join(', ')}`);
    }
  }

  const keyOf = (network: string, p: DetachParams): AttachmentKey => ({ network, containerId: p.containerId, ifName: p.ifName });

  /** DEL of every plugin, in reverse; prevResult only for versions that know it on DEL. */
  async function delList(list: NetConfList, prevResult: Result | undefined, p: DetachParams): Promise<void> {
    const prev = supportsCheck(list.cniVersion) ? prevResult : undefined;
    for (const plugin of [...list.plugins].reverse()) await run('DEL', pluginConf(list, plugin, prev, p.capabilityArgs), p);
  }

  return {
    async add(p) {
      const list = await loadConf();
      let result: Result | undefined;
      try {
        for (const plugin of list.plugins) result = await run('ADD', pluginConf(list, plugin, result, p.capabilityArgs), p);
      } catch (err) {
        log.warn({ network: list.name, containerId: p.containerId, err: (err as Error).message }, 'cni add failed, cleaning up');
        await delList(list, undefined, p).catch((cleanupErr: Error) =>
          log.warn({ network: list.name, containerId: p.containerId, err: cleanupErr.message }, 'cni cleanup after failed add failed'),
        );
        throw err;
      }
      const final = result!;
      await cache.put(keyOf(list.name, p), { config: list, result: final });
      return { ...final, network: list.name, podIPs: podIPsOf(final) };
    },

    async del(p) {
      const current = await loadConf();
      const cached = await cache.get(keyOf(current.name, p));
      await delList(cached?.config ?? current, cached?.result, p);
      await cache.delete(keyOf(current.name, p));
    },

    async check(p) {
      const current = await loadConf();
      const cached = await cache.get(keyOf(current.name, p));
      if (!cached) throw new CniError(ErrorCode.UnknownContainer, 'no ADD result cached for the container', `${current.name}/${p.containerId}/${p.ifName}`);
      const { config: list, result } = cached;
      if (list.disableCheck) return;
      if (!supportsCheck(list.cniVersion)) throw new CniError(ErrorCode.IncompatibleVersion, `CHECK is not part of CNI ${list.cniVersion}`);
      for (const plugin of list.plugins) await run('CHECK', pluginConf(list, plugin, result, p.capabilityArgs), p);
    },
  };
}
