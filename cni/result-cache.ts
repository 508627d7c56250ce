/**
 * The runtime's memory of ADDs (what libcni keeps in /var/lib/cni/results): per (network, container
 * id, ifname) the configuration used and the final result, so that CHECK and DEL get the prevResult
 * the spec asks for and DEL runs the same plugins as ADD did, across agent restarts.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NetConfList, Result } from './types.js';

export interface CachedAttachment {
  /** The configuration the ADD ran (its cniVersion is the negotiated one). */
  config: NetConfList;
  result: Result;
}

export interface AttachmentKey {
  network: string;
  containerId: string;
  ifName: string;
}

export class ResultCache {
  constructor(private readonly dir: string) {}

  private file(key: AttachmentKey): string {
    return path.join(this.dir, `${key.network}-${key.containerId}-${key.ifName}`);
  }

  async get(key: AttachmentKey): Promise<CachedAttachment | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as CachedAttachment;
    } catch {
      return undefined;
    }
  }

  /** Written atomically (temporary file, then rename). */
  async put(key: AttachmentKey, entry: CachedAttachment): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file(key)}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
    await rename(tmp, this.file(key));
  }

  async delete(key: AttachmentKey): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}
