/**
 * Test harness: runs the built `tug` CLI (a short-lived command such as `tug token create`, or an
 * agent expected to fail at start) and collects what it printed.
 */
import { spawn } from 'node:child_process';
import { TUG_BIN } from './tug-server.js';

export interface TugRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tug args…`; never throws for a non-zero exit; SIGKILLs it after `timeoutMs` (code -1). */
export function runTug(args: string[], timeoutMs = 30_000): Promise<TugRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [TUG_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
