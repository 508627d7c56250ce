/**
 * Writing kubeconfig files: a standalone admin kubeconfig, or a merge into an existing one (as kind
 * does) that replaces only this cluster's entries and makes it the current context. Files are 0600:
 * they hold the admin token.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';

export interface KubeconfigEntry {
  /** Name used for the cluster, user and context entries. */
  name: string;
  server: string;
  caCertPem: string;
  token: string;
}

type Named = { name: string };

function upsert<T extends Named>(list: T[] | undefined, item: T): T[] {
  return [...(list ?? []).filter((x) => x?.name !== item.name), item];
}

/** The kubeconfig at `file` as a mapping; an empty one when the file does not exist. */
async function readConfig(file: string): Promise<any> {
  let config: any = {};
  try {
    config = parse(await readFile(file, 'utf8')) ?? {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read kubeconfig ${file}: ${(err as Error).message}`);
  }
  if (typeof config !== 'object' || Array.isArray(config)) throw new Error(`kubeconfig ${file} is not a YAML mapping; move it away or pass --kubeconfig`);
  return config;
}

/** Replaces `file` with `config` atomically (rename), mode 0600. */
async function saveConfig(file: string, config: any): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, stringify(config), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** Writes `entry` into the kubeconfig at `file`, keeping other clusters; creates the file if absent. */
export async function writeKubeconfig(file: string, entry: KubeconfigEntry): Promise<void> {
  const config = await readConfig(file);
  config.apiVersion = 'v1';
  config.kind = 'Config';
  config.preferences ??= {};
  config.clusters = upsert(config.clusters, {
    name: entry.name,
    cluster: { server: entry.server, 'certificate-authority-data': Buffer.from(entry.caCertPem).toString('base64') },
  });
  config.users = upsert(config.users, { name: entry.name, user: { token: entry.token } });
  config.contexts = upsert(config.contexts, { name: entry.name, context: { cluster: entry.name, user: entry.name } });
  config['current-context'] = entry.name;
  await saveConfig(file, config);
}

/**
 * Removes the cluster, user and context entries named `name` from the kubeconfig at `file`, and
 * the current-context when it is `name`; other entries stay. Resolves false (and writes nothing)
 * when the file or the entries do not exist.
 */
export async function removeKubeconfigEntry(file: string, name: string): Promise<boolean> {
  const config = await readConfig(file);
  const keys = ['clusters', 'users', 'contexts'] as const;
  const found = keys.some((k) => (config[k] as Named[] | undefined)?.some((x) => x?.name === name)) || config['current-context'] === name;
  if (!found) return false;
  for (const k of keys) if (Array.isArray(config[k])) config[k] = (config[k] as Named[]).filter((x) => x?.name !== name);
  if (config['current-context'] === name) config['current-context'] = '';
  await saveConfig(file, config);
  return true;
}
