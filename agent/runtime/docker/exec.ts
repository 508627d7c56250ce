/** Exec instances: their exit code once ended, and killing one whose caller gave up on it. */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { RuntimeError } from '../runtime.js';
import { toRuntimeError } from './errors.js';

/**
 * The exit code of an exec whose output has ended. The engine may take a moment to record the
 * exit after the streams close, so this polls (10 ms doubling to 500 ms) until it is recorded,
 * or until `signal` aborts (then it rejects).
 */
export async function execExitCode(exec: Docker.Exec, signal?: AbortSignal): Promise<number> {
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    signal?.throwIfAborted();
    let info: Docker.ExecInspectInfo;
    try {
      info = await exec.inspect();
    } catch (err) {
      throw toRuntimeError(err);
    }
    if (!info.Running) {
      if (info.ExitCode === null) throw new RuntimeError('Failed', `exec ${exec.id} ended without an exit code`);
      return info.ExitCode;
    }
    await sleep(delay);
  }
}

/**
 * Sends SIGKILL to a still-running exec's process (Docker has no API for it). The engine reports
 * the host PID; it is killed only when /proc shows it in the container's cgroup, so nothing
 * happens where this process does not share the engine's PID namespace. Best effort: resolves
 * whether or not it killed anything.
 */
export async function killExec(exec: Docker.Exec): Promise<boolean> {
  try {
    const info = await exec.inspect();
    if (!info.Running || !info.Pid) return false;
    const cgroup = await readFile(`/proc/${info.Pid}/cgroup`, 'utf8');
    if (!cgroup.includes(info.ContainerID)) return false;
    process.kill(info.Pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
