/**
 * Test harness: runs the real kubectl (1.33 by default, the reference client) against a kubeconfig.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.33', '/usr/local/bin/kubectl', '/usr/bin/kubectl'];

/** The kubectl binary for `version` ('1.33', '1.29', ...), falling back to the one on PATH. */
export function kubectlBinary(version = '1.33'): string {
  const exact = `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`;
  if (existsSync(exact)) return exact;
  return CANDIDATES.find((c) => existsSync(c)) ?? 'kubectl';
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  env?: Record<string, string>;
  version?: string;
  timeoutMs?: number;
}

/** Runs kubectl with `args`; never throws for a non-zero exit (the result carries it). */
export function kubectl(kubeconfig: string, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(kubectlBinary(opts.version), ['--kubeconfig', kubeconfig, ...args], {
      env: { ...process.env, ...opts.env, KUBECONFIG: kubeconfig, HOME: process.env.HOME ?? '/tmp' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    proc.stdin.end(opts.input ?? '');
  });
}

/** Like kubectl() but rejects with both outputs when the exit code is not 0. */
export async function kubectlOk(kubeconfig: string, args: string[], opts: KubectlOptions = {}): Promise<string> {
  const r = await kubectl(kubeconfig, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
