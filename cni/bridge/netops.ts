/**
 * The bridge plugin's OS boundary: the commands it runs (iproute2 `ip`, optionally inside a network
 * namespace through `nsenter --net=<path>`; `iptables`, `iptables-save` and `iptables-restore`) and
 * the sysctls it writes. One real implementation, createNetOps(); everything above it is plain logic.
 */
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';

export interface NetOps {
  /** Runs `ip …` in the host namespace, or in the namespace at path `netns`; resolves with stdout. */
  ip(args: string[], netns?: string): Promise<string>;
  /**
   * Runs several `ip` commands in one process (`ip -j -d -force -batch -`), in order, each whether
   * or not an earlier one failed; resolves with the failures (index into `commands`, what ip said)
   * and the output: one line of JSON per `show` command that succeeded. Arguments must not contain
   * whitespace.
   */
  ipBatch(commands: string[][], netns?: string): Promise<{ failures: BatchFailure[]; output: string }>;
  /** Runs `iptables -w …` (IPv4); resolves with stdout. */
  iptables(args: string[]): Promise<string>;
  /** `iptables-save` of every table (IPv4): one process instead of an `iptables -S` per table. */
  iptablesSave(): Promise<string>;
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
    readonly stdout = '',
  ) {
    super(`${command}: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'CommandError';
  }
}

/** A command of an ipBatch that failed. */
export interface BatchFailure {
  index: number;
  error: CommandError;
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
        return reject(new CommandError(`${file} ${args.join(' ')}`, stderr || err.message, code, stdout));
      }
      resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

/**
 * The failed commands of an `ip -force -batch` run from its stderr, where ip prints what went
 * wrong with a command and then "Command failed -:<line>".
 */
export function batchFailures(commands: string[][], stderr: string): BatchFailure[] {
  const failures: BatchFailure[] = [];
  const marker = /Command failed -:(\d+)\n?/g;
  let from = 0;
  for (let m = marker.exec(stderr); m; m = marker.exec(stderr)) {
    const index = Number(m[1]) - 1;
    const command = commands[index] ?? [];
    failures.push({ index, error: new CommandError(`ip ${command.join(' ')}`, stderr.slice(from, m.index), 1) });
    from = m.index + m[0].length;
  }
  return failures;
}

export function createNetOps(): NetOps {
  const ip = (args: string[], netns?: string, input?: string) => (netns ? run('nsenter', [`--net=${netns}`, '--', 'ip', ...args], input) : run('ip', args, input));
  return {
    ip: (args, netns) => ip(args, netns),
    ipBatch: async (commands, netns) => {
      if (commands.some((c) => c.some((a) => a === '' || /\s/.test(a)))) throw new Error(`ip batch arguments must not be empty or contain whitespace: ${JSON.stringify(commands)}`);
      try {
        return { failures: [], output: await ip(['-j', '-d', '-force', '-batch', '-'], netns, commands.map((c) => c.join(' ')).join('\n') + '\n') };
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        const failures = batchFailures(commands, err.stderr);
        if (failures.length === 0) throw err;
        return { failures, output: err.stdout };
      }
    },
    iptables: (args) => run('iptables', ['-w', '5', ...args]),
    iptablesSave: () => run('iptables-save', []),
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
