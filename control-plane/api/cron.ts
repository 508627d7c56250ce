/**
 * CronJob schedules as upstream parses them (robfig/cron v3's standard parser, which both the
 * CronJob validation and the CronJob controller use): five fields (minute hour day-of-month month
 * day-of-week) with `*`, `?`, ranges, steps, lists and month/day names, the
 * `@yearly`/`@annually`/`@monthly`/`@weekly`/`@daily`/`@midnight`/`@hourly` and
 * `@every <duration>` descriptors, and an optional `TZ=`/`CRON_TZ=` prefix. Error texts are the
 * parser's, as upstream puts them in the Invalid value message and the UnparseableSchedule event.
 * Pure; evaluating a schedule (its next time) is the CronJob controller's.
 */
import { parseGoDuration } from './go-duration.js';

/** The values one field allows, and whether it was `*` or `?` (which matters for day matching). */
export interface CronField {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

/** A parsed schedule: `zone` from a TZ=/CRON_TZ= prefix, then `@every` or the five fields. */
export type CronSpec =
  | { readonly zone?: string; readonly everyMs: number }
  | { readonly zone?: string; readonly fields: readonly [minute: CronField, hour: CronField, dayOfMonth: CronField, month: CronField, dayOfWeek: CronField] };

/** A schedule upstream refuses; the message is robfig's. */
export class CronSyntaxError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Whether `zone` names an IANA time zone this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronSyntaxError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronSyntaxError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** One comma-separated part of a field (robfig's getRange), its values added to `out`; returns whether it counts as `*`. */
function addRange(expr: string, b: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b.names);
    else throw new CronSyntaxError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronSyntaxError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronSyntaxError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
  return star;
}

function parseField(field: string, b: Bounds): CronField {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) star = addRange(expr, b, values) || star;
  return { values, star };
}

function parseFields(spec: string): CronField[] {
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return fields.map((field, i) => parseField(field, FIELDS[i]!));
}

/**
 * Parses a schedule as robfig's ParseStandard does. A TZ=/CRON_TZ= zone must be one this runtime
 * knows. Throws CronSyntaxError with robfig's message for a schedule upstream refuses; nothing else.
 */
export function parseCronSpec(schedule: string): CronSpec {
  let spec = schedule;
  let zone: string | undefined;
  if (spec.length === 0) throw new CronSyntaxError('empty spec string');
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    zone = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space);
    if (!isKnownTimeZone(zone)) throw new CronSyntaxError(`provided bad location ${zone}: unknown time zone ${zone}`);
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  const withZone = zone === undefined ? {} : { zone };
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const duration = spec.slice('@every '.length);
      try {
        return { ...withZone, everyMs: parseGoDuration(duration) };
      } catch {
        throw new CronSyntaxError(`failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(duration)}`);
      }
    }
    const fields = DESCRIPTORS[spec];
    if (!fields) throw new CronSyntaxError(`unrecognized descriptor: ${spec}`);
    spec = fields;
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parseFields(spec) as [CronField, CronField, CronField, CronField, CronField];
  return { ...withZone, fields: [minute, hour, dayOfMonth, month, dayOfWeek] };
}
