/**
 * Running one of Tugboat's own plugins inside the calling process, with the contract of running its
 * executable (execPlugin): the same environment and stdin go through the same protocol layer
 * (skel.ts: CNI_* checks, configuration parsing, result encoding in the configuration's version,
 * error JSON) and the same reading of its output, so results and error codes are identical, only
 * without starting a process. A run that outlives its time limit is answered TryAgainLater; unlike
 * an executable it cannot be killed and finishes in the background.
 */
import { decodePluginOutput, timedOutError } from './exec.js';
import { runPlugin, type PluginHandlers } from './skel.js';

/** A plugin as a library: its handlers for one call's environment (the executable's process.env). */
export type PluginFactory = (env: Record<string, string>) => PluginHandlers;

/** Like execPlugin(`name`, env, stdin, timeoutMs), for the plugin `factory` builds. */
export async function runInProcess(name: string, factory: PluginFactory, env: Record<string, string>, stdin: unknown, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timedOutError(name, timeoutMs)), timeoutMs)));
  try {
    const { stdout, exitCode } = await Promise.race([runPlugin(factory(env), env, JSON.stringify(stdin)), deadline]);
    return decodePluginOutput(name, stdout, '', exitCode, null);
  } finally {
    clearTimeout(timer);
  }
}
