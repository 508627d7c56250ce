/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource.Quantity): parsing with
 * upstream's grammar and rounding, and upstream's canonical string form.
 *
 * A quantity is a decimal number with an optional suffix: binary (`Ki Mi Gi Ti Pi Ei`), decimal
 * SI (`n u m "" k M G T P E`) or a decimal exponent (`e3`, `E-2`). Values are kept exactly, in
 * units of 10^-9 (upstream's precision): finer values round up, so asking for a tiny amount never
 * yields zero. JS numbers returned by the API are as exact as a double allows.
 */

/** How a quantity prints: `1Gi` (BinarySI), `1G` / `500m` (DecimalSI), `1e9` (DecimalExponent). */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** Upstream's ErrFormatWrong text; also what a bad quantity in a manifest is reported with. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT_RE}'`;
const SUFFIX_ERROR = "unable to parse quantity's suffix";
const NUMERIC_ERROR = 'unable to parse numeric value';

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';
const NANO = 1_000_000_000n;
/** BinarySI quantities are capped at 2^63-1 like upstream. */
const MAX_ALLOWED = 2n ** 63n - 1n;

/** An exact quantity: a count of nano-units and the format it was written in. */
interface Exact {
  nanos: bigint;
  format: QuantityFormat;
}

type Rounding = 'up' | 'nearest';

/** Splits `s` like upstream's parseQuantityString: sign, integer digits, fraction digits, suffix. */
function split(s: string): { negative: boolean; num: string; denom: string; suffix: string } {
  let pos = 0;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    pos = 1;
  }
  const digitsFrom = (start: number): number => {
    let i = start;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    return i;
  };
  let end = digitsFrom(pos);
  const num = s.slice(pos, end) || '0';
  let denom = '';
  if (s[end] === '.') {
    const fracEnd = digitsFrom(end + 1);
    denom = s.slice(end + 1, fracEnd);
    end = fracEnd;
  }
  if (end === pos) throw new Error(QUANTITY_FORMAT_ERROR);
  const suffixStart = end;
  while (end < s.length && SUFFIX_CHARS.includes(s[end]!)) end++;
  if (s[end] === '-' || s[end] === '+') end++;
  end = digitsFrom(end);
  if (end !== s.length) throw new Error(QUANTITY_FORMAT_ERROR);
  return { negative, num, denom, suffix: s.slice(suffixStart) };
}

/** Base-10 or base-2 exponent of a suffix, as upstream's suffixer interprets it. */
function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new Error(SUFFIX_ERROR);
}

/** Divides by a power of ten, rounding the magnitude as asked. */
function scaleDown(value: bigint, divisor: bigint, rounding: Rounding): bigint {
  const q = value / divisor;
  const r = value % divisor;
  if (r === 0n) return q;
  if (rounding === 'up') return q + 1n;
  return 2n * r >= divisor ? q + 1n : q;
}

function parseExact(input: string | number, rounding: Rounding): Exact {
  const s = typeof input === 'number' ? String(input) : input;
  if (typeof s !== 'string' || s.length === 0) throw new Error(QUANTITY_FORMAT_ERROR);
  const { negative, num, denom, suffix } = split(s);
  const { base, exponent, format: written } = interpretSuffix(suffix);
  if (num === '0' && denom === '' && s.replace(/^[+-]/, '').startsWith('.')) throw new Error(NUMERIC_ERROR);
  const mantissa = BigInt(num + denom);
  // value = mantissa * 10^(tenExp) * 2^(twoExp)
  let tenExp = -denom.length + 9;
  let twoExp = 0;
  if (base === 10) tenExp += exponent;
  else twoExp = exponent;
  let nanos = mantissa * 2n ** BigInt(twoExp);
  nanos = tenExp >= 0 ? nanos * 10n ** BigInt(tenExp) : scaleDown(nanos, 10n ** BigInt(-tenExp), rounding);
  let format = written;
  if (format === 'BinarySI') {
    if (nanos > MAX_ALLOWED * NANO) nanos = MAX_ALLOWED * NANO;
    if (nanos > 0n && nanos < NANO) format = 'DecimalSI';
  }
  return { nanos: negative ? -nanos : nanos, format };
}

function toNumber(nanos: bigint): number {
  const whole = nanos / NANO;
  const frac = nanos % NANO;
  return frac === 0n ? Number(whole) : Number(whole) + Number(frac) / 1e9;
}

/**
 * The value of a quantity in base units (cores, bytes): `'100m'` → 0.1, `'8Gi'` → 8589934592,
 * `'1e3'` → 1000. Numbers are read as their decimal text. Throws a plain Error with upstream's
 * message for malformed input.
 */
export function parseQuantity(s: string | number): number {
  return toNumber(parseExact(s, 'up').nanos);
}

/** Whether upstream would accept `s` as a quantity. */
export function isValidQuantity(s: unknown): boolean {
  if (typeof s !== 'string' && typeof s !== 'number') return false;
  try {
    parseExact(s, 'up');
    return true;
  } catch {
    return false;
  }
}

/** The value in thousandths (millicores), rounded away from zero like upstream's MilliValue. Throws on bad input. */
export function milliValue(s: string | number): number {
  const { nanos } = parseExact(s, 'up');
  const magnitude = scaleDown(nanos < 0n ? -nanos : nanos, 1_000_000n, 'up');
  return Number(nanos < 0n ? -magnitude : magnitude);
}

/** Strips factors of `factor` from `n`, counting them. */
function removeFactors(n: bigint, factor: bigint): { rest: bigint; times: number } {
  let rest = n;
  let times = 0;
  while (rest !== 0n && rest % factor === 0n) {
    rest /= factor;
    times++;
  }
  return { rest, times };
}

const DECIMAL_SUFFIX_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([k, v]) => [v, k]));
const BINARY_SUFFIX_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([k, v]) => [v, k]));

function canonical({ nanos, format }: Exact): string {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  if (format === 'BinarySI' && magnitude >= 1024n * NANO && magnitude % NANO === 0n) {
    const { rest, times } = removeFactors(magnitude / NANO, 1024n);
    const suffix = times === 0 ? '' : BINARY_SUFFIX_BY_EXPONENT.get(times * 10);
    if (suffix !== undefined) return `${sign}${rest}${suffix}`;
  }
  // Decimal: mantissa * 10^exponent with the exponent a multiple of three (upstream's AsCanonicalBytes).
  const { rest, times } = removeFactors(magnitude, 10n);
  let exponent = times - 9;
  let mantissa = rest;
  const mod = ((exponent % 3) + 3) % 3;
  if (mod !== 0) {
    mantissa *= 10n ** BigInt(mod);
    exponent -= mod;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${sign}${mantissa}` : `${sign}${mantissa}e${exponent}`;
  while (exponent > 18) {
    mantissa *= 1000n;
    exponent -= 3;
  }
  return `${sign}${mantissa}${DECIMAL_SUFFIX_BY_EXPONENT.get(exponent)}`;
}

/**
 * Upstream's canonical text for a value in base units: `formatQuantity(0.5, 'DecimalSI')` → `'500m'`,
 * `formatQuantity(1073741824, 'BinarySI')` → `'1Gi'`, `formatQuantity(1500, 'BinarySI')` → `'1500'`.
 * The value is taken to the nearest nano-unit (JS arithmetic is inexact); BinarySI falls back to
 * decimal below 1024 or for fractions, as upstream does.
 */
export function formatQuantity(value: number, format: QuantityFormat): string {
  if (!Number.isFinite(value)) throw new Error(`cannot format ${value} as a quantity`);
  return canonical({ nanos: parseExact(String(value), 'nearest').nanos, format });
}

/**
 * The canonical form of a quantity string as the API server writes it back (`'0.5'` → `'500m'`,
 * `'1024Mi'` → `'1Gi'`, `'1e3'` → `'1e3'`), keeping the format it was written in. With
 * `roundToMilli` the value is first rounded away from zero to a multiple of 1m, as upstream's
 * defaulting does for resource lists (`'0.0001'` → `'1m'`). Throws on bad input.
 */
export function canonicalQuantity(s: string | number, roundToMilli = false): string {
  const exact = parseExact(s, 'up');
  if (roundToMilli) {
    const magnitude = scaleDown(exact.nanos < 0n ? -exact.nanos : exact.nanos, 1_000_000n, 'up') * 1_000_000n;
    exact.nanos = exact.nanos < 0n ? -magnitude : magnitude;
  }
  return canonical(exact);
}
