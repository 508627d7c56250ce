/**
 * Spec versions: comparison, which commands a version has, and results converted between the
 * 0.3.x/0.4.0 shape (ips carry "version") and the 1.0.0 shape (they don't).
 */
import { CniError } from './errors.js';
import { ErrorCode, SUPPORTED_VERSIONS, type IPConfig, type Result } from './types.js';

function parts(v: string): number[] {
  return v.split('.').map((p) => Number.parseInt(p, 10));
}

/** Negative, zero or positive as semantic version `a` is below, equal to or above `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function isSupportedVersion(v: unknown): v is string {
  return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** CHECK (and prevResult on DEL) arrived with 0.4.0. */
export function supportsCheck(v: string): boolean {
  return compareVersions(v, '0.4.0') >= 0;
}

/** Throws IncompatibleVersion unless `v` is a version Tugboat speaks. */
export function requireSupportedVersion(v: unknown): string {
  if (v === undefined || v === '') throw new CniError(ErrorCode.InvalidConfig, 'cniVersion is required');
  if (!isSupportedVersion(v)) {
    throw new CniError(ErrorCode.IncompatibleVersion, `incompatible CNI version ${JSON.stringify(v)}`, `supported: ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  return v;
}

function familyOf(address: string): '4' | '6' {
  return address.includes(':') ? '6' : '4';
}

/** `result` in the shape of spec version `version`. */
export function encodeResult(result: Result, version: string): Result {
  const legacy = compareVersions(version, '1.0.0') < 0;
  const ips = result.ips?.map((ip): IPConfig => {
    const { version: _v, ...rest } = ip;
    return legacy ? { ...rest, version: familyOf(ip.address) } : rest;
  });
  return { ...result, cniVersion: version, ...(ips ? { ips } : {}) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Validates the shape of a result read from a plugin; throws DecodingFailure when it isn't one. */
export function decodeResult(raw: unknown): Result {
  const bad = (what: string) => new CniError(ErrorCode.DecodingFailure, 'failed to decode result', what);
  if (!isObject(raw)) throw bad('not a JSON object');
  if (typeof raw.cniVersion !== 'string') throw bad('cniVersion missing');
  if (raw.interfaces !== undefined) {
    if (!Array.isArray(raw.interfaces) || !raw.interfaces.every((i) => isObject(i) && typeof i.name === 'string')) throw bad('interfaces');
  }
  if (raw.ips !== undefined) {
    const ok = Array.isArray(raw.ips) && raw.ips.every((ip) => isObject(ip) && typeof ip.address === 'string' && (ip.interface === undefined || Number.isInteger(ip.interface)));
    if (!ok) throw bad('ips');
  }
  if (raw.routes !== undefined) {
    if (!Array.isArray(raw.routes) || !raw.routes.every((r) => isObject(r) && typeof r.dst === 'string')) throw bad('routes');
  }
  if (raw.dns !== undefined) {
    const d = raw.dns;
    if (!isObject(d) || (d.nameservers !== undefined && !isStringArray(d.nameservers)) || (d.search !== undefined && !isStringArray(d.search))) throw bad('dns');
  }
  return raw as unknown as Result;
}
