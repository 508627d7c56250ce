/** Query parameters of streaming requests, strictly parsed: a bad value is a 400 naming it. */
import { HttpError } from './http-error.js';

export function boolQuery(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new HttpError(400, `invalid value for query parameter ${name}: "${v}" (expected true or false)`);
}

/** An integer parameter at least `min`, or undefined when absent. */
export function intQuery(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) throw new HttpError(400, `invalid value for query parameter ${name}: "${v}" (expected an integer)`);
  if (n < min) throw new HttpError(400, `invalid value for query parameter ${name}: ${n} (must be at least ${min})`);
  return n;
}
