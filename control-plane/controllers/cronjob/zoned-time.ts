/**
 * Wall-clock time in an IANA time zone, through the runtime's Intl data. A wall-clock time is
 * represented as the milliseconds a UTC clock would show for it (so the Date UTC getters read its
 * fields), an instant as milliseconds since the epoch.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The time zone of this process (what upstream's controller manager uses when a CronJob names none). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The wall-clock time in `zone` at `instant`. */
export function wallClock(instant: number, zone: string): number {
  if (zone === 'UTC') return instant;
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + ms;
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
export function offsetAt(instant: number, zone: string): number {
  return wallClock(instant, zone) - instant;
}

/**
 * The instant the wall-clock time `wall` in `zone` denotes, or undefined when the clocks skip it
 * (a daylight-saving gap). A time that occurs twice maps to its first occurrence.
 */
export function instantOf(wall: number, zone: string): number | undefined {
  if (zone === 'UTC') return wall;
  const candidates = [wall - offsetAt(wall - offsetAt(wall, zone), zone), wall - offsetAt(wall, zone)];
  const valid = candidates.filter((i) => wallClock(i, zone) === wall).sort((a, b) => a - b);
  return valid[0];
}

/** RFC 3339 of `instant` as seen in `zone` (`Z` for a zero offset, as Go prints it). */
export function rfc3339In(instant: number, zone: string): string {
  const offset = offsetAt(instant, zone);
  const wall = new Date(instant + offset).toISOString().replace(/\.\d{3}Z$/, '');
  if (offset === 0) return `${wall}Z`;
  const abs = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}
