/**
 * The service proxy's OS boundary: the commands it runs (iptables, iptables-save,
 * iptables-restore, conntrack) and the sysctls it writes. One real implementation,
 * createProxyHost(); everything above it is plain logic.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Table } from './render.js';

export interface ProxyHost {
  /** `iptables-save -t <table>`: the table's chains and rules. */
  iptablesSave(table: Table): Promise<string>;
  /** `iptables -t <table> -S <chain>`: one chain's rules as `-A <chain> …` lines. */
  iptablesList(table: Table, chain: string): Promise<string>;
  /** Feeds `input` to `iptables-restore --noflush`: each table in it is one atomic transaction. */
  iptablesRestore(input: string): Promise<void>;
  /** Writes a sysctl, e.g. ("net/ipv4/ip_forward", "1"). */
  setSysctl(name: string, value: string): Promise<void>;
  /** `conntrack -D <filter>`: resolves with whether any entry was deleted. */
  conntrackDelete(filter: string[]): Promise<boolean>;
}

/** A command that failed; `stderr` says why. */
export class HostCommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`${command}: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'HostCommandError';
  }
}

const TIMEOUT_MS = 60_000;
const WAIT = ['-w', '5'];

function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new HostCommandError(`${file} ${args.join(' ')}`, stderr || err.message, typeof err.code === 'number' ? err.code : null));
      resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

export function createProxyHost(): ProxyHost {
  return {
    iptablesSave: (table) => run('iptables-save', ['-t', table]),
    iptablesList: (table, chain) => run('iptables', [...WAIT, '-t', table, '-S', chain]),
    iptablesRestore: async (input) => {
      await run('iptables-restore', ['--noflush', ...WAIT], input);
    },
    setSysctl: (name, value) => writeFile(`/proc/sys/${name}`, value),
    conntrackDelete: async (filter) => {
      try {
        await run('conntrack', ['-D', ...filter]);
        return true;
      } catch (err) {
        // conntrack exits 1 with "0 flow entries have been deleted" when nothing matched.
        if (err instanceof HostCommandError && /0 flow entries/.test(err.stderr)) return false;
        throw err;
      }
    },
  };
}
