/**
 * Termination messages as upstream: each container instance gets an empty host file bind-mounted
 * at terminationMessagePath; when it has exited, the file's content (at most 4096 bytes) is
 * terminated.message. With FallbackToLogsOnError an empty file and a failure exit take the last 80
 * lines of the log instead (at most 2048 bytes). Without either, the runtime's own message stays.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { podDir } from '../volumes/volume-manager.js';
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js';
import { ANNOTATIONS } from './container-config.js';

const MAX_FILE_BYTES = 4096;
const MAX_LOG_LINES = 80;
const MAX_LOG_BYTES = 2048;

/** Creates the empty, world-writable message file of a new container instance; returns its path. */
export async function createTerminationMessageFile(dataDir: string, podUid: string, containerName: string): Promise<string> {
  const dir = path.join(podDir(dataDir, podUid), 'containers', containerName);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, randomBytes(4).toString('hex'));
  await writeFile(file, '');
  await chmod(file, 0o666);
  return file;
}

async function readHead(file: string, max: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function logTail(runtime: ContainerRuntime, id: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await runtime.logs(id, { follow: false, tail: MAX_LOG_LINES, timestamps: false })) chunks.push(Buffer.from(chunk));
  const all = Buffer.concat(chunks);
  return all.subarray(Math.max(0, all.length - MAX_LOG_BYTES)).toString('utf8');
}

/** The message of an exited container; undefined when there is none (best effort: read errors are logged). */
export async function readTerminationMessage(runtime: ContainerRuntime, status: ContainerStatus, log: Logger): Promise<string | undefined> {
  const file = status.annotations[ANNOTATIONS.terminationMessageFile];
  try {
    const fromFile = file ? await readHead(file, MAX_FILE_BYTES).catch(() => '') : '';
    if (fromFile) return fromFile;
    if (status.annotations[ANNOTATIONS.terminationMessagePolicy] === 'FallbackToLogsOnError' && (status.exitCode ?? 0) !== 0) {
      return (await logTail(runtime, status.id)) || status.message;
    }
  } catch (err) {
    log.debug({ container: status.id, err: (err as Error).message }, 'termination message unreadable');
  }
  return status.message;
}
