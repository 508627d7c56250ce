/**
 * The host's resolvers, for names outside the cluster zone. Like the kubelet on a systemd-resolved
 * host, a loopback stub (127.0.0.53) in /etc/resolv.conf is passed over for the real servers in
 * /run/systemd/resolve/resolv.conf: what pods are told must work from outside the host's loopback.
 * Only when no file names anything else are the loopback servers used (this server runs in the
 * host's network namespace, so they do answer it).
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';

const RESOLV_CONF = '/etc/resolv.conf';
const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

/** The `nameserver` addresses of resolv.conf text, in order (zone ids dropped, non-addresses skipped). */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, value] = line.trim().split(/\s+/);
    if (keyword !== 'nameserver' || !value) continue;
    const address = value.split('%')[0]!;
    if (net.isIP(address)) out.push(address);
  }
  return out;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

async function nameserversOf(file: string): Promise<string[]> {
  try {
    return parseNameservers(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * The host's upstream resolvers as the module comment says; [] when none is configured. Reads
 * the files each call (a missing file counts as empty; other read errors reject).
 */
export async function hostResolvers(files: string[] = [RESOLV_CONF, SYSTEMD_RESOLV_CONF]): Promise<string[]> {
  const all = await Promise.all(files.map(nameserversOf));
  for (const servers of all) {
    const remote = servers.filter((s) => !isLoopback(s));
    if (remote.length) return remote;
  }
  return [...new Set(all.flat().filter(isLoopback))];
}
