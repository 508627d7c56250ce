/** Go's time.ParseDuration ("90s", "1h30m", "0"), as upstream flags and fields spell durations. */

const UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The duration in milliseconds; throws an Error with Go's message (`time: invalid duration "x"`). Pure. */
export function parseGoDuration(text: string): number {
  const m = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) {
    if (text === '0') return 0;
    throw new Error(`time: invalid duration "${text}"`);
  }
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS_MS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}
