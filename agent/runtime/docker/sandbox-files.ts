/**
 * A sandbox's /etc/resolv.conf and /etc/hosts as files on the host.
 *
 * Sandboxes with a network of their own are created with Docker networking disabled: runc then
 * gives them a fresh network namespace with loopback up, which CNI wires, and the sandbox starts
 * about three times faster than with Docker's `none` network (whose namespace libnetwork creates,
 * bind-mounts and records). Docker then writes neither file, so the runtime does: one directory
 * per sandbox under a root, the files bind-mounted into the sandbox and, as Docker shares its own
 * files, into every container that joins it; the directory goes with the sandbox.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DNSConfig, SandboxConfig } from '../runtime.js';

/** Where sandbox directories live by default: runtime state that a reboot (which ends every sandbox) may drop. */
export const DEFAULT_SANDBOX_FILES_ROOT = '/run/tugboat/sandboxes';

/** The files, by where containers see them. */
const TARGETS = ['/etc/resolv.conf', '/etc/hosts'] as const;

/** Docker's entries of every container's /etc/hosts. */
const STANDARD_HOSTS = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters'];

/** resolv.conf for `dns` as Docker writes one from --dns, --dns-search and --dns-option; without `dns`, the host's. */
export function resolvConf(dns: DNSConfig | undefined, hostResolvConf: string): string {
  if (!dns) return hostResolvConf;
  const lines = [
    ...(dns.searches.length ? [`search ${dns.searches.join(' ')}`] : []),
    ...dns.servers.map((s) => `nameserver ${s}`),
    ...(dns.options.length ? [`options ${dns.options.join(' ')}`] : []),
  ];
  return lines.map((l) => `${l}\n`).join('');
}

/** /etc/hosts as Docker writes one for a container without an address of its own, with `aliases` (--add-host) after it. */
export function hostsFile(aliases: SandboxConfig['hostAliases']): string {
  const extra = (aliases ?? []).flatMap((a) => a.hostnames.map((h) => `${a.ip}\t${h}`));
  return [...STANDARD_HOSTS, ...extra].map((l) => `${l}\n`).join('');
}

/** Writes a new sandbox directory under `root`; resolves with the Docker binds of its files. */
export async function writeSandboxFiles(root: string, config: SandboxConfig): Promise<string[]> {
  const dir = path.join(path.resolve(root), randomBytes(8).toString('hex'));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const host = config.dns ? '' : await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const content = { '/etc/resolv.conf': resolvConf(config.dns, host), '/etc/hosts': hostsFile(config.hostAliases) };
  return Promise.all(
    TARGETS.map(async (target) => {
      const file = path.join(dir, path.basename(target));
      await writeFile(file, content[target], { mode: 0o644 });
      return `${file}:${target}:rw`;
    }),
  );
}

const targetOf = (bind: string) => bind.split(':')[1] ?? '';

/** The binds of a sandbox's files among its binds (what containers joining it get too). */
export function sharedBinds(sandboxBinds: readonly string[] | undefined): string[] {
  return (sandboxBinds ?? []).filter((b) => (TARGETS as readonly string[]).includes(targetOf(b)));
}

/** Removes the directories of a sandbox's files (only ones under `root`). Idempotent. */
export async function removeSandboxFiles(root: string, sandboxBinds: readonly string[] | undefined): Promise<void> {
  const dirs = new Set(sharedBinds(sandboxBinds).map((b) => path.dirname(b.split(':')[0]!)));
  for (const dir of dirs) if (path.dirname(dir) === path.resolve(root)) await rm(dir, { recursive: true, force: true });
}
