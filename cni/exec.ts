/**
 * Running a CNI plugin executable, as the spec's runtimes do: find `type` in the plugin directories,
 * start it with the CNI_* environment and the configuration on stdin, read its result (or its error
 * JSON) from stdout. Used by the invoker and by the bridge plugin to delegate to its IPAM plugin.
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { CniError } from './errors.js';
import { ErrorCode, type CniArgs } from './types.js';

/** The CNI_* variables for one call. */
export function cniEnv(args: CniArgs): Record<string, string> {
  return {
    CNI_COMMAND: args.command,
    CNI_CONTAINERID: args.containerId,
    CNI_NETNS: args.netns ?? '',
    CNI_IFNAME: args.ifName,
    CNI_ARGS: args.args ?? '',
    CNI_PATH: args.path.join(':'),
  };
}

/** The first executable named `type` in `dirs`; InvalidConfig when there is none. */
export async function findPlugin(type: string, dirs: string[]): Promise<string> {
  if (type === '' || type.includes('/') || type === '.' || type === '..') throw new CniError(ErrorCode.InvalidConfig, `invalid plugin type ${JSON.stringify(type)}`);
  for (const dir of dirs) {
    const candidate = path.join(dir, type);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new CniError(ErrorCode.InvalidConfig, `failed to find plugin ${JSON.stringify(type)}`, `searched: ${dirs.join(', ')}`);
}

function parseErrorOutput(stdout: string, exitCode: number | null, signal: string | null, stderr: string): CniError {
  try {
    const e = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof e.code === 'number' && typeof e.msg === 'string') {
      return new CniError(e.code, e.msg, typeof e.details === 'string' ? e.details : undefined);
    }
  } catch {
    // not the spec's error JSON: fall through
  }
  const how = signal ? `killed by ${signal}` : `exit code ${exitCode}`;
  return new CniError(ErrorCode.Internal, `plugin failed (${how})`, (stderr || stdout).trim().slice(-2000) || undefined);
}

/** The error of a plugin run that outlived its time limit. */
export function timedOutError(file: string, timeoutMs: number): CniError {
  return new CniError(ErrorCode.TryAgainLater, 'plugin timed out', `${file} ran longer than ${timeoutMs} ms`);
}

/**
 * What a finished plugin run (named `file` in errors) means, as a runtime reads it: on exit 0 the
 * parsed stdout (undefined when empty), else the plugin's own CniError from its error JSON (Internal
 * when there is none); DecodingFailure for unreadable output.
 */
export function decodePluginOutput(file: string, stdout: string, stderr: string, exitCode: number | null, signal: string | null): unknown {
  if (exitCode !== 0) throw parseErrorOutput(stdout, exitCode, signal, stderr);
  if (stdout.trim() === '') return undefined;
  try {
    return JSON.parse(stdout);
  } catch (e) {
    throw new CniError(ErrorCode.DecodingFailure, 'failed to decode plugin output', `${file}: ${(e as Error).message}`);
  }
}

/**
 * Runs the plugin at `file` with `env` (the complete environment) and `stdin` (JSON-encoded).
 * Resolves with the parsed stdout (undefined when empty, as DEL and CHECK print nothing).
 * Rejects with the plugin's own CniError, DecodingFailure for unreadable output, IOFailure when it
 * can't be started, TryAgainLater when it outlives `timeoutMs` (it is then killed).
 */
export function execPlugin(file: string, env: Record<string, string>, stdin: unknown, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {
      // the plugin may exit without reading stdin; its exit status tells what happened
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new CniError(ErrorCode.IOFailure, 'failed to start plugin', `${file}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(timedOutError(file, timeoutMs));
      try {
        resolve(decodePluginOutput(file, Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8'), code, signal));
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.end(JSON.stringify(stdin));
  });
}
