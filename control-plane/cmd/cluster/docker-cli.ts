/**
 * The `docker` CLI as `tug cluster` uses it: one command at a time, output captured, and an error
 * that names the command and carries Docker's own message when it fails. The CLI (not the API
 * client) keeps every step reproducible by hand from the debug log.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';

export class DockerError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`docker ${args.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`);
  }
}

export interface DockerRunOptions {
  /** Written to the command's stdin (a stream is piped; it must end). */
  input?: string | Buffer | Readable;
}

/** Runs `docker …args` through the CLI on PATH. */
export interface DockerCli {
  /** Resolves with stdout when the command exits 0; rejects with a DockerError otherwise. */
  run(args: string[], opts?: DockerRunOptions): Promise<string>;
}

/** A DockerCli that logs each command at debug level. `binary` defaults to `docker` on PATH. */
export function createDockerCli(log: Logger, binary = 'docker'): DockerCli {
  return {
    run(args, opts = {}) {
      log.debug({ args }, 'docker');
      return new Promise((resolve, reject) => {
        const proc = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let err = '';
        proc.stdout.on('data', (c: Buffer) => out.push(c));
        proc.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-8000)));
        proc.once('error', (e) => reject(new Error(`cannot run ${binary}: ${e.message}. Install the Docker CLI (apt-get install docker.io)`)));
        proc.once('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new DockerError(args, code, err))));
        proc.stdin.on('error', () => undefined); // the command may exit before reading all input; its exit code tells
        const input = opts.input;
        if (input === undefined) proc.stdin.end();
        else if (typeof input === 'string' || Buffer.isBuffer(input)) proc.stdin.end(input);
        else input.pipe(proc.stdin);
      });
    },
  };
}
