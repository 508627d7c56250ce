/**
 * List continue tokens, shaped like upstream's: base64url JSON `{v, rv, start}` where `rv` is the
 * resourceVersion the first page was read at and `start` the first index member of the next page
 * (inclusive). Pages after the first read current data after `start`; they are not a snapshot at `rv`.
 */
import { badRequest, type StatusError } from '../../api/status.js';

const VERSION = 'meta.k8s.io/v1';

export interface ContinueToken {
  rv: number;
  start: string;
}

/** The token whose page starts right after `lastMember`. */
export function encodeContinue(rv: number, lastMember: string): string {
  // '\0' is the smallest suffix: the next page starts at the first member after lastMember.
  return Buffer.from(JSON.stringify({ v: VERSION, rv, start: `${lastMember}\0` })).toString('base64url');
}

/** Throws 400 BadRequest ("continue key is not valid: ...") for anything but a token from encodeContinue. */
export function decodeContinue(token: string): ContinueToken {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw invalidToken('illegal base64 data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('malformed JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidToken('malformed JSON');
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== VERSION) throw invalidToken('server does not recognize this encoded version');
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) {
    throw invalidToken(`incorrect encoded start resourceVersion (version ${VERSION})`);
  }
  if (typeof start !== 'string' || start === '') throw invalidToken(`encoded start key empty (version ${VERSION})`);
  return { rv, start };
}

function invalidToken(why: string): StatusError {
  return badRequest(`continue key is not valid: ${why}`);
}
