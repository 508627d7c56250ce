/**
 * The plugin side of the CNI protocol, shared by Tugboat's plugin executables: validates the CNI_*
 * environment and the configuration on stdin, dispatches ADD/DEL/CHECK/VERSION to handlers and turns
 * the outcome into the spec's stdout JSON and exit status. Errors come out with spec codes: 4 for bad
 * environment variables, 6 for undecodable stdin, 1/7 for bad configuration, else what the handler threw.
 */
import type { Readable } from 'node:stream';
import { CniError, invalidConfig } from './errors.js';
import { ErrorCode, LATEST_VERSION, NAME_PATTERN, SUPPORTED_VERSIONS, type CniArgs, type Command, type NetConf, type Result } from './types.js';
import { encodeResult, requireSupportedVersion, supportsCheck } from './version.js';

export interface PluginHandlers {
  /** Attach the container; the result is printed in the configuration's spec version. */
  add(conf: NetConf, args: CniArgs): Promise<Result>;
  /** Detach; must succeed when things are already gone. */
  del(conf: NetConf, args: CniArgs): Promise<void>;
  check(conf: NetConf, args: CniArgs): Promise<void>;
}

export interface PluginOutput {
  stdout: string;
  exitCode: number;
}

const COMMANDS: readonly Command[] = ['ADD', 'DEL', 'CHECK', 'VERSION'];
/** Variables each command needs besides CNI_COMMAND. */
const REQUIRED: Record<Command, string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
  VERSION: [],
};

/** Linux interface-name rules (and the spec's): 1-15 chars, not "." or "..", no "/", ":" or whitespace. */
export function validIfName(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

function parseEnv(env: NodeJS.ProcessEnv): CniArgs {
  const command = env.CNI_COMMAND as Command | undefined;
  if (!command || !COMMANDS.includes(command)) {
    throw new CniError(ErrorCode.InvalidEnvironment, `invalid CNI_COMMAND ${JSON.stringify(command ?? '')}`, 'CNI_COMMAND must be ADD, DEL, CHECK or VERSION');
  }
  const missing = REQUIRED[command].filter((name) => !env[name]);
  if (missing.length) throw new CniError(ErrorCode.InvalidEnvironment, `required environment variables missing: ${missing.join(', ')}`);
  const args: CniArgs = {
    command,
    containerId: env.CNI_CONTAINERID ?? '',
    ifName: env.CNI_IFNAME ?? '',
    path: (env.CNI_PATH ?? '').split(':').filter(Boolean),
    ...(env.CNI_NETNS ? { netns: env.CNI_NETNS } : {}),
    ...(env.CNI_ARGS ? { args: env.CNI_ARGS } : {}),
  };
  if (command !== 'VERSION') {
    if (!NAME_PATTERN.test(args.containerId)) throw new CniError(ErrorCode.InvalidEnvironment, 'invalid CNI_CONTAINERID', args.containerId);
    if (!validIfName(args.ifName)) throw new CniError(ErrorCode.InvalidEnvironment, 'invalid CNI_IFNAME', args.ifName);
  }
  return args;
}

/** Parses and checks the fields every plugin configuration has. */
export function parseNetConf(stdin: string): NetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(ErrorCode.DecodingFailure, 'failed to decode network configuration', (err as Error).message);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CniError(ErrorCode.DecodingFailure, 'network configuration is not a JSON object');
  const conf = raw as Record<string, unknown>;
  requireSupportedVersion(conf.cniVersion);
  if (typeof conf.name !== 'string' || !NAME_PATTERN.test(conf.name)) throw invalidConfig('invalid network name', JSON.stringify(conf.name));
  if (typeof conf.type !== 'string' || conf.type === '') throw invalidConfig('type is required');
  return conf as NetConf;
}

const VERSION_REPLY = JSON.stringify({ cniVersion: LATEST_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] }) + '\n';

/** Runs one plugin invocation: never throws, every failure becomes the spec's error JSON. */
export async function runPlugin(handlers: PluginHandlers, env: NodeJS.ProcessEnv, stdin: string): Promise<PluginOutput> {
  // Errors are printed in the configuration's version once it is known to be one Tugboat speaks.
  let version = LATEST_VERSION;
  try {
    const args = parseEnv(env);
    if (args.command === 'VERSION') return { stdout: VERSION_REPLY, exitCode: 0 };
    const conf = parseNetConf(stdin);
    version = conf.cniVersion;
    switch (args.command) {
      case 'ADD':
        return { stdout: JSON.stringify(encodeResult(await handlers.add(conf, args), version)) + '\n', exitCode: 0 };
      case 'DEL':
        await handlers.del(conf, args);
        return { stdout: '', exitCode: 0 };
      case 'CHECK':
        if (!supportsCheck(version)) throw new CniError(ErrorCode.IncompatibleVersion, `CHECK is not part of CNI ${version}`);
        await handlers.check(conf, args);
        return { stdout: '', exitCode: 0 };
    }
  } catch (err) {
    const cniErr = CniError.from(err);
    return { stdout: JSON.stringify(cniErr.toResult(version)) + '\n', exitCode: 1 };
  }
}

/** Reads a whole stream (the plugin's stdin) as UTF-8. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
