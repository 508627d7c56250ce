/**
 * Query parameters of resource requests, checked: a bad value is a 400 naming the parameter,
 * never a silent default.
 */
import { cannotDecode, typeMismatch } from '../api/schema/index.js';
import { badRequest } from '../api/status.js';
import type { FieldValidation } from './context.js';
import type { DeleteOptions } from './resource-service.js';

export type Query = Record<string, string | string[] | undefined>;

/** The last value of a parameter given once or more. */
export function param(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function boolParam(q: Query, name: string): boolean {
  const v = param(q, name);
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw badRequest(`invalid value for query parameter ${name}: "${v}" (expected true or false)`);
}

/** An integer parameter; 400 for anything else, or beyond what a double holds exactly. */
export function intParam(q: Query, name: string): number | undefined {
  const v = param(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for query parameter ${name}: "${v}" (expected an integer)`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid value for query parameter ${name}: "${v}" (value out of range)`);
  return n;
}

export function fieldValidationParam(q: Query): FieldValidation {
  const v = param(q, 'fieldValidation');
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

export function dryRunParam(q: Query): boolean {
  const raw = q.dryRun;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const v of values) if (v !== 'All' && v !== '') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.includes('All');
}

const POLICIES = new Set(['Orphan', 'Background', 'Foreground']);

/** DeleteOptions from a DELETE's JSON body and query (the query wins, as upstream). */
export function deleteOptions(body: unknown, q: Query): { options: DeleteOptions; dryRun: boolean } {
  const mismatch = typeMismatch('meta.k8s.io', 'v1', 'DeleteOptions', body);
  if (mismatch) throw cannotDecode('DeleteOptions', 'v1', mismatch);
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, any>;
  const options: DeleteOptions = {};
  const grace = intParam(q, 'gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
    options.gracePeriodSeconds = Math.max(0, grace);
  }
  const policy = param(q, 'propagationPolicy') ?? b.propagationPolicy;
  if (policy !== undefined) {
    if (!POLICIES.has(policy)) throw badRequest(`propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Background", "Foreground", "Orphan"`);
    options.propagationPolicy = policy;
  }
  const orphan = param(q, 'orphanDependents') !== undefined ? boolParam(q, 'orphanDependents') : b.orphanDependents;
  if (orphan !== undefined) {
    if (options.propagationPolicy) throw badRequest('orphanDependents and propagationPolicy cannot both be set');
    options.orphanDependents = Boolean(orphan);
  }
  if (b.preconditions !== undefined) {
    const p = b.preconditions;
    if (!p || typeof p !== 'object') throw badRequest('preconditions must be an object');
    options.preconditions = {
      uid: typeof p.uid === 'string' ? p.uid : undefined,
      resourceVersion: typeof p.resourceVersion === 'string' ? p.resourceVersion : undefined,
    };
  }
  const bodyDryRun = Array.isArray(b.dryRun) && b.dryRun.includes('All');
  return { options, dryRun: dryRunParam(q) || bodyDryRun };
}
