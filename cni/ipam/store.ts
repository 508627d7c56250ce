/**
 * host-local's allocation state on disk, laid out like the reference plugin's so either can read it:
 * in the network's directory, one file per reserved address (named by the address, holding
 * "<container id>\r\n<ifname>"), `last_reserved_ip.<set index>` for round robin, and `lock`, which
 * every change holds (flock) so concurrent plugin runs never reserve one address twice.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatIP, parseIP, type IP } from '../ip.js';
import { withFileLock } from '../lock.js';
import type { Owner } from './allocator.js';

/** How long a plugin run waits for another to finish with the network's state. */
const LOCK_TIMEOUT_MS = 30_000;

function parseOwner(text: string): Owner {
  const [containerId = '', ifName = ''] = text.split(/\r?\n/);
  return { containerId: containerId.trim(), ifName: ifName.trim() };
}

export class DiskStore {
  constructor(private readonly dir: string) {}

  /** Runs `fn` holding the network's lock; every other method expects to run inside it. */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withFileLock(path.join(this.dir, 'lock'), LOCK_TIMEOUT_MS, fn);
  }

  /** Every reserved address (canonical text) and its holder. */
  async reservations(): Promise<Map<string, Owner>> {
    const out = new Map<string, Owner>();
    for (const name of await readdir(this.dir)) {
      const ip = parseIP(name);
      if (!ip) continue;
      out.set(formatIP(ip), parseOwner(await readFile(path.join(this.dir, name), 'utf8')));
    }
    return out;
  }

  async lastReserved(setIndex: number): Promise<IP | undefined> {
    try {
      return parseIP((await readFile(path.join(this.dir, `last_reserved_ip.${setIndex}`), 'utf8')).trim());
    } catch {
      return undefined;
    }
  }

  /** Reserves `ip` for `owner` and remembers it as the set's last; fails (EEXIST) if it is taken. */
  async reserve(ip: IP, owner: Owner, setIndex: number): Promise<void> {
    const text = formatIP(ip);
    await writeFile(path.join(this.dir, text), `${owner.containerId}\r\n${owner.ifName}`, { flag: 'wx', mode: 0o644 });
    await writeFile(path.join(this.dir, `last_reserved_ip.${setIndex}`), text);
  }

  /** Frees every address `owner` holds; returns them. Idempotent. */
  async releaseOwner(owner: Owner): Promise<string[]> {
    const released: string[] = [];
    for (const [text, holder] of await this.reservations()) {
      if (holder.containerId === owner.containerId && holder.ifName === owner.ifName) {
        await rm(path.join(this.dir, text), { force: true });
        released.push(text);
      }
    }
    return released;
  }

  async release(ip: IP): Promise<void> {
    await rm(path.join(this.dir, formatIP(ip)), { force: true });
  }
}
