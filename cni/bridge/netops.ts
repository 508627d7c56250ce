/**
 * The bridge plugin's OS boundary: the commands it runs (iproute2 `ip`, optionally inside a network
 * namespace through `nsenter --net=<path>`; `iptables` and `iptables-restore`) and the sysctls it
 * writes. One real implementation, createNetOps(); everything above it is plain logic.
 */
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';

export interface NetOps {
  /** Runs `ip …` in the host namespace, or in the namespace at path `netns`; resolves with stdout. */
  ip(args: string[], netns?: string): Promise<string>;
  /** Runs `iptables -w …` (IPv4); resolves with stdout. */
  iptables(args: string[]): Promise<string>;
  /** Feeds `input` to `iptables-restore --noflush -w` (one atomic transaction). */
  iptablesRestore(input: string): Promise<void>;
  /** Writes a sysctl, e.g. ("net/ipv4/ip_forward", "1"). */
  setSysctl(name: string, value: string): Promise<void>;
  /** Whether the namespace file at `netns` exists. */
  netnsExists(netns: string): Promise<boolean>;
  /** A path naming the namespace this plugin runs in (where host-side interfaces live). */
  readonly hostNetns: string;
}

/** A command that exited non-zero; `stderr` says why ("File exists", "Cannot find device" …). */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`${command}: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'CommandError';
  }
}

/** The object already exists (a link, an address, a route). */
export const isExists = (err: unknown) => err instanceof CommandError && /File exists|already assigned/.test(err.stderr);
/** The object to show or delete is not there. */
export const isMissing = (err: unknown) =>
  err instanceof CommandError && /Cannot find device|does not exist|Address not found|No such process|Cannot assign requested address/.test(err.stderr);

const COMMAND_TIMEOUT_MS = 30_000;

function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof err.code === 'number' ? err.code : null;
        return reject(new CommandError(`${file} ${args.join(' ')}`, stderr || err.message, code));
      }
      resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

export function createNetOps(): NetOps {
  return {
    ip: (args, netns) => (netns ? run('nsenter', [`--net=${netns}`, '--', 'ip', ...args]) : run('ip', args)),
    iptables: (args) => run('iptables', ['-w', '5', ...args]),
    iptablesRestore: async (input) => {
      await run('iptables-restore', ['--noflush', '-w', '5'], input);
    },
    setSysctl: (name, value) => writeFile(`/proc/sys/${name}`, value),
    netnsExists: async (netns) => {
      try {
        await access(netns);
        return true;
      } catch {
        return false;
      }
    },
    hostNetns: `/proc/${process.pid}/ns/net`,
  };
}
