/**
 * Cron schedules as upstream evaluates them (robfig/cron v3): the schedule is parsed by the shared
 * parser (api/cron.ts, the one validation uses); day-of-month and day-of-week combine with OR
 * unless either is `*`/`?` (then AND); `@every d` fires every d after the previous activation.
 * Times are computed in the schedule's time zone; a wall time the clocks skip (daylight saving)
 * does not fire, one they repeat fires once. Like robfig, a schedule that does not fire within
 * five years has no next time.
 */
import { parseCronSpec, type CronField } from '../../api/cron.js';
import { instantOf, wallClock } from './zoned-time.js';

export interface Schedule {
  /** The first activation strictly after `after` (ms since the epoch), or undefined if none within five years. */
  next(after: number): number | undefined;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** `@every d`: every d (at least a second, whole seconds) after the previous activation. */
function every(durationMs: number): Schedule {
  const delay = Math.max(1000, durationMs - (durationMs % 1000));
  return { next: (after) => after - (((after % 1000) + 1000) % 1000) + delay };
}

function fieldsSchedule(fields: readonly [CronField, CronField, CronField, CronField, CronField], zone: string): Schedule {
  const [minute, hour, dom, month, dow] = fields;
  const dayMatches = (wall: Date) => {
    const d = dom.values.has(wall.getUTCDate());
    const w = dow.values.has(wall.getUTCDay());
    return dom.star || dow.star ? d && w : d || w;
  };
  /** The first matching wall time at or after `from` (minute-aligned), searching up to `limitYear`. */
  const search = (from: number, limitYear: number): number | undefined => {
    let t = from;
    for (;;) {
      const w = new Date(t);
      if (w.getUTCFullYear() > limitYear) return undefined;
      if (!month.values.has(w.getUTCMonth() + 1)) t = Date.UTC(w.getUTCFullYear(), w.getUTCMonth() + 1, 1);
      else if (!dayMatches(w)) t = Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate()) + DAY;
      else if (!hour.values.has(w.getUTCHours())) t = Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate(), w.getUTCHours() + 1);
      else if (!minute.values.has(w.getUTCMinutes())) t += MINUTE;
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
 * Parses a schedule; `zone` is the CronJob's spec.timeZone or the controller's zone (a TZ=/CRON_TZ=
 * prefix overrides it). Throws an Error with robfig's message for a schedule upstream refuses.
 */
export function parseSchedule(spec: string, zone: string): Schedule {
  const parsed = parseCronSpec(spec);
  if ('everyMs' in parsed) return every(parsed.everyMs);
  return fieldsSchedule(parsed.fields, parsed.zone ?? zone);
}
