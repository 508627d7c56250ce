/**
 * Lifecycle hooks (postStart, preStop) as upstream's handler runner: exec in the container,
 * httpGet against the pod (any answer counts: only a failed request fails the hook), or sleep.
 * runHook resolves with undefined on success or upstream's failure message; it never rejects.
 */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { runExec, runHttpGet } from '../prober/handlers.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { formatPod } from './sync.js';

export interface HookTarget {
  runtime: ContainerRuntime;
  containerId: string;
  podIP: string;
}

/** Runs `handler` for `container`; `timeoutSeconds` bounds exec and HTTP hooks and cuts sleeps short (0 = none). */
export async function runHook(pod: Pod, container: Container, handler: LifecycleHandler, target: HookTarget, timeoutSeconds: number): Promise<string | undefined> {
  const where = `for Container "${container.name}" in Pod "${formatPod(pod)}"`;
  if (handler.exec) {
    const command = handler.exec.command ?? [];
    const outcome = await runExec(target.runtime, target.containerId, handler.exec, timeoutSeconds);
    if (outcome.result === 'success') return undefined;
    const error = outcome.exitCode === undefined ? outcome.output : `command '${command.join(' ')}' exited with ${outcome.exitCode}: ${outcome.output}`;
    return `Exec lifecycle hook ([${command.join(' ')}]) ${where} failed - error: ${error.trim()}`;
  }
  if (handler.httpGet) {
    const outcome = await runHttpGet(handler.httpGet, { podIP: target.podIP, ports: container.ports }, (timeoutSeconds || 30) * 1000, false);
    if (outcome.result === 'success') return undefined;
    return `HTTP lifecycle hook (${handler.httpGet.path ?? '/'}) ${where} failed - error: ${outcome.output}`;
  }
  if (handler.sleep) {
    const ms = handler.sleep.seconds * 1000;
    await new Promise((r) => setTimeout(r, timeoutSeconds > 0 ? Math.min(ms, timeoutSeconds * 1000) : ms));
    return undefined;
  }
  return `lifecycle hook ${where} names no supported action`;
}
