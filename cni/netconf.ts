/**
 * Network configuration as a runtime reads it: a configuration list (.conflist), or a single plugin
 * configuration (.conf, .json) taken as a list of one; from a directory, the lexically first file
 * with one of those extensions is the network (as kubelet and containerd choose). The spec version
 * used for a list is its cniVersion, or the highest of its cniVersions that Tugboat speaks.
 * Problems are CniErrors: DecodingFailure (6) for unparsable JSON, InvalidConfig (7) otherwise,
 * IncompatibleVersion (1) for versions Tugboat doesn't speak.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { CniError, invalidConfig } from './errors.js';
import { ErrorCode, NAME_PATTERN, type NetConf, type NetConfList } from './types.js';
import { compareVersions, isSupportedVersion, requireSupportedVersion } from './version.js';

const EXTENSIONS = ['.conf', '.conflist', '.json'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The spec version to run `raw` with. */
function chooseVersion(raw: Record<string, unknown>): string {
  if (Array.isArray(raw.cniVersions)) {
    const usable = raw.cniVersions.filter(isSupportedVersion).sort(compareVersions);
    if (usable.length === 0) throw new CniError(ErrorCode.IncompatibleVersion, 'no supported version in cniVersions', JSON.stringify(raw.cniVersions));
    return usable[usable.length - 1]!;
  }
  return requireSupportedVersion(raw.cniVersion);
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw invalidConfig('invalid network name', JSON.stringify(name));
  return name;
}

/** Validates a configuration list, or a single plugin configuration turned into a list of one. */
export function toConfList(raw: unknown): NetConfList {
  if (!isObject(raw)) throw invalidConfig('network configuration must be a JSON object');
  const cniVersion = chooseVersion(raw);
  const name = checkName(raw.name);
  if (raw.plugins === undefined) {
    if (typeof raw.type !== 'string' || raw.type === '') throw invalidConfig('type is required');
    return { cniVersion, name, plugins: [{ ...(raw as NetConf), cniVersion, name }] };
  }
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) throw invalidConfig('plugins must be a non-empty list');
  const plugins = raw.plugins.map((p, i): NetConf => {
    if (!isObject(p) || typeof p.type !== 'string' || p.type === '') throw invalidConfig(`plugins[${i}].type is required`);
    return p as NetConf;
  });
  if (raw.disableCheck !== undefined && typeof raw.disableCheck !== 'boolean') throw invalidConfig('disableCheck must be a boolean');
  return { cniVersion, name, plugins, ...(raw.disableCheck ? { disableCheck: true } : {}) };
}

export function parseConfList(text: string, source: string): NetConfList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CniError(ErrorCode.DecodingFailure, 'failed to decode network configuration', `${source}: ${(err as Error).message}`);
  }
  return toConfList(raw);
}

/** The network configured in `dir` (the lexically first configuration file). */
export async function loadConfDir(dir: string): Promise<NetConfList> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new CniError(ErrorCode.IOFailure, 'failed to read network configuration directory', `${dir}: ${(err as Error).message}`);
  }
  const first = names.filter((n) => EXTENSIONS.includes(path.extname(n))).sort()[0];
  if (!first) throw invalidConfig('no network configuration found', dir);
  const file = path.join(dir, first);
  return parseConfList(await readFile(file, 'utf8'), file);
}
