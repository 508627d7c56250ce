/**
 * A cross-process exclusive lock on a file, held by a `flock(1)` child process: the kernel releases it
 * when that child goes, so a plugin killed mid-way never leaves a stale lock behind (the child's stdin
 * closes, it exits). Serialises concurrent plugin invocations (IPAM allocation, firewall edits).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CniError } from './errors.js';
import { ErrorCode } from './types.js';

const LOCKED = 'locked\n';

function acquire(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-x', '-w', String(timeoutMs / 1000), file, '-c', `echo locked; read -r _`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let held = false;
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    child.on('error', (e) => reject(new CniError(ErrorCode.IOFailure, 'failed to run flock', e.message)));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!held && out.startsWith(LOCKED)) {
        held = true;
        resolve(async () => {
          child.stdin.end();
          await closed;
        });
      }
    });
    child.on('close', (code) => {
      if (!held) reject(new CniError(ErrorCode.TryAgainLater, 'timed out waiting for lock', `${file}: exit ${code} ${stderr.trim()}`));
    });
  });
}

/** Runs `fn` holding the lock on `file` (its directory is created); TryAgainLater after `timeoutMs` of waiting. */
export async function withFileLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const release = await acquire(file, timeoutMs);
  try {
    return await fn();
  } finally {
    await release();
  }
}
