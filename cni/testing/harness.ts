/**
 * Test support for cni/: builds the plugin executables (dist/cni/plugins, run through the shims in
 * cni/bin), and creates and removes the host resources tests use (network namespaces, bridges,
 * firewall rules, test subnets). Names carry a random suffix so runs never collide.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Firewall } from '../bridge/firewall.js';
import { createNetOps } from '../bridge/netops.js';
import { FIREWALL_LOCK } from '../builtin.js';

const run = promisify(execFile);
const CNI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(CNI_DIR, '..');

/** The directory holding the tug-bridge and tug-host-local shims. */
export const CNI_BIN = path.join(CNI_DIR, 'bin');
/** Debian's reference plugins (containernetworking-plugins). */
export const REFERENCE_BIN = '/usr/lib/cni';
export { FIREWALL_LOCK };

export const suffix = () => randomBytes(3).toString('hex');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

/** Compiles cni/ (the plugin executables included) into dist/ unless it is newer than every source. */
export async function buildPlugins(): Promise<void> {
  const files = await sources(CNI_DIR);
  const stale = await Promise.all(
    files.map(async (src) => {
      const built = path.join(REPO, 'dist', path.relative(REPO, src)).replace(/\.ts$/, '.js');
      const [s, b] = await Promise.all([stat(src), stat(built).catch(() => undefined)]);
      return !b || b.mtimeMs < s.mtimeMs;
    }),
  );
  if (!stale.some(Boolean)) return;
  const tsc = path.join(REPO, 'node_modules/.bin/tsc');
  const flags = ['--outDir', 'dist', '--rootDir', '.', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--strict', '--skipLibCheck', '--sourceMap', '--types', 'node'];
  await run(tsc, [...flags, ...files.map((f) => path.relative(REPO, f))], { cwd: REPO });
}

/** Runs a command; rejects with its stderr when it fails. */
export async function sh(file: string, args: string[]): Promise<string> {
  return (await run(file, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** Runs a command, ignoring failure (cleanup of what may not exist). */
export async function shQuiet(file: string, args: string[]): Promise<void> {
  await run(file, args).catch(() => undefined);
}

/** Creates network namespace `name`; returns its path. */
export async function addNetns(name: string): Promise<string> {
  await sh('ip', ['netns', 'add', name]);
  return `/var/run/netns/${name}`;
}

/** A /24 in 10.254.0.0/16 that no route of this host uses (away from the cluster defaults). */
export async function freeTestSubnet(): Promise<{ subnet: string; prefix: string }> {
  const routes = await sh('ip', ['-4', 'route', 'show', 'table', 'all']);
  for (;;) {
    const prefix = `10.254.${1 + randomBytes(1)[0]! % 250}`;
    if (!routes.includes(`${prefix}.`)) return { subnet: `${prefix}.0/24`, prefix };
  }
}

/** Removes a test network's bridge and its firewall rules (and chains left empty). */
export async function removeTestNetwork(network: string, bridge: string): Promise<void> {
  await shQuiet('ip', ['link', 'del', 'dev', bridge]);
  await new Firewall(createNetOps(), FIREWALL_LOCK).removeIfUnused(network, bridge);
}

/** Pings `ip` once from namespace `netns` (a name), or from the host; true when answered. */
export async function ping(ip: string, netns?: string): Promise<boolean> {
  const cmd = ['busybox', 'ping', '-c', '1', '-W', '2', ip];
  try {
    await (netns ? sh('ip', ['netns', 'exec', netns, ...cmd]) : sh(cmd[0]!, cmd.slice(1)));
    return true;
  } catch {
    return false;
  }
}
