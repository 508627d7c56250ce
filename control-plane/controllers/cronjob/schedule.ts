/**
 * Cron schedules as upstream evaluates them (robfig/cron v3's standard parser): five fields
 * (minute hour day-of-month month day-of-week) with `*`, `?`, lists, ranges, steps and month/day
 * names; day-of-month and day-of-week combine with OR unless either is `*`/`?` (then AND); the
 * descriptors @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly and `@every <duration>`;
 * an optional `TZ=`/`CRON_TZ=` prefix. Times are computed in the schedule's time zone; a wall time
 * the clocks skip (daylight saving) does not fire, one they repeat fires once. Like robfig, a
 * schedule that does not fire within five years has no next time.
 */
import { instantOf, wallClock } from './zoned-time.js';

export interface Schedule {
  /** The first activation strictly after `after` (ms since the epoch), or undefined if none within five years. */
  next(after: number): number | undefined;
}

interface Field {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Field[] = [
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
const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The parsed values of one field, and whether it was `*` or `?` (which matters for day matching). */
interface Values {
  set: Set<number>;
  star: boolean;
}

function parseNumber(expr: string, field: Field): number {
  const named = field.names?.[expr.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(expr)) throw new Error(`failed to parse int from ${expr}`);
  return Number(expr);
}

function parseField(text: string, field: Field): Values {
  const out: Values = { set: new Set(), star: false };
  for (const expr of text.split(',')) {
    const [range, stepText, extra] = expr.split('/');
    if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
    const bounds = range!.split('-');
    let start: number;
    let end: number;
    let star = false;
    if (bounds[0] === '*' || bounds[0] === '?') {
      if (bounds.length > 1) throw new Error(`too many hyphens: ${expr}`);
      [start, end, star] = [field.min, field.max, true];
    } else {
      if (bounds.length > 2) throw new Error(`too many hyphens: ${expr}`);
      start = parseNumber(bounds[0]!, field);
      end = bounds.length === 2 ? parseNumber(bounds[1]!, field) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = parseNumber(stepText, { min: 0, max: 0 });
      if (bounds.length === 1) end = field.max;
      if (step > 1) star = false;
    }
    if (start < field.min) throw new Error(`beginning of range (${start}) below minimum (${field.min}): ${expr}`);
    if (end > field.max) throw new Error(`end of range (${end}) above maximum (${field.max}): ${expr}`);
    if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
    for (let v = start; v <= end; v += step) out.set.add(v);
    out.star ||= star;
  }
  return out;
}

/** Go's time.ParseDuration, in milliseconds. */
function parseGoDuration(text: string): number {
  const m = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) {
    if (text === '0') return 0;
    throw new Error(`failed to parse duration @every ${text}: time: invalid duration "${text}"`);
  }
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * GO_DURATION_UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** `@every d`: every d (at least a second, whole seconds) after the previous activation. */
function every(durationMs: number): Schedule {
  const delay = Math.max(1000, durationMs - (durationMs % 1000));
  return { next: (after) => after - (((after % 1000) + 1000) % 1000) + delay };
}

function fieldsSchedule(spec: string, zone: string): Schedule {
  const parts = spec.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!)) as [Values, Values, Values, Values, Values];
  const dayMatches = (wall: Date) => {
    const d = dom.set.has(wall.getUTCDate());
    const w = dow.set.has(wall.getUTCDay());
    return dom.star || dow.star ? d && w : d || w;
  };
  /** The first matching wall time at or after `from` (minute-aligned), searching up to `limitYear`. */
  const search = (from: number, limitYear: number): number | undefined => {
    let t = from;
    for (;;) {
      const w = new Date(t);
      if (w.getUTCFullYear() > limitYear) return undefined;
      if (!month.set.has(w.getUTCMonth() + 1)) t = Date.UTC(w.getUTCFullYear(), w.getUTCMonth() + 1, 1);
      else if (!dayMatches(w)) t = Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate()) + DAY;
      else if (!hour.set.has(w.getUTCHours())) t = Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate(), w.getUTCHours() + 1);
      else if (!minute.set.has(w.getUTCMinutes())) t += MINUTE;
      else return t;
    }
  };
  return {
    next: (after) => {
      const start = wallClock(after, zone);
      // The next whole second, then up to a whole minute (the seconds field is always 0).
      let wall = Math.ceil((Math.floor(start / 1000) * 1000 + 1000) / MINUTE) * MINUTE;
      const limitYear = new Date(wall).getUTCFullYear() + 5;
      for (;;) {
        const found = search(wall, limitYear);
        if (found === undefined) return undefined;
        const instant = instantOf(found, zone);
        if (instant !== undefined && instant > after) return instant;
        wall = found + MINUTE;
      }
    },
  };
}

/**
 * Parses a schedule; `zone` is the CronJob's spec.timeZone or the controller's zone. Throws an
 * Error with robfig's message for a schedule upstream refuses.
 */
export function parseSchedule(spec: string, zone: string): Schedule {
  let text = spec.trim();
  if (text === '') throw new Error('empty spec string');
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const space = text.indexOf(' ');
    zone = text.slice(text.indexOf('=') + 1, space < 0 ? undefined : space);
    text = space < 0 ? '' : text.slice(space).trim();
  }
  if (text.startsWith('@every ')) return every(parseGoDuration(text.slice('@every '.length).trim()));
  if (text.startsWith('@')) {
    const fields = DESCRIPTORS[text];
    if (!fields) throw new Error(`unrecognized descriptor: ${text}`);
    text = fields;
  }
  return fieldsSchedule(text, zone);
}
