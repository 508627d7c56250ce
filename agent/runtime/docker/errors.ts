/** Translation of dockerode failures into RuntimeError codes, keeping Docker's own message. */
import { RuntimeError, type RuntimeErrorCode } from '../runtime.js';

interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** Error codes of a socket that cannot reach the engine. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** The HTTP status Docker answered with, when it did. */
export function dockerStatus(err: unknown): number | undefined {
  return (err as DockerodeError | undefined)?.statusCode;
}

/** Docker's message without dockerode's "(HTTP code N) reason - " decoration. */
export function dockerMessage(err: unknown): string {
  const e = err as DockerodeError;
  if (e?.json && typeof e.json === 'object' && e.json.message) return e.json.message.trim();
  const message = String(e?.message ?? err);
  return (/^\(HTTP code \d+\) .*? - (.*)$/s.exec(message)?.[1] ?? message).trim();
}

/** Maps any failure of a dockerode call to a RuntimeError (a RuntimeError passes through). */
export function toRuntimeError(err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const status = dockerStatus(err);
  const message = dockerMessage(err);
  let code: RuntimeErrorCode = 'Failed';
  if (status === 404) code = /no such image/i.test(message) ? 'ImageNotFound' : 'NotFound';
  else if (status === 400) code = 'InvalidConfig';
  else if (status === undefined && UNREACHABLE.has((err as DockerodeError)?.code ?? '')) code = 'Unavailable';
  return new RuntimeError(code, message);
}
