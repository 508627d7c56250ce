/**
 * Field paths and field errors as upstream's k8s.io/apimachinery/pkg/util/validation/field builds
 * them: `spec.template.spec.containers[0].image`, `metadata.labels`, `data[key]`, and error bodies
 * such as `Required value`, `Invalid value: "Foo": <detail>`, `Unsupported value: "X": supported
 * values: "A", "B"`, `Duplicate value: "web"`, `Forbidden: <detail>`.
 *
 * `FieldError.message` is upstream's ErrorBody (the text after `field: `), which is what a Status
 * cause carries and what kubectl prints.
 */
import type { FieldError } from '../status.js';

/** An immutable field path; `child`, `index` and `key` return new paths. */
export class Path {
  private constructor(private readonly text: string) {}

  /** A root path from dotted names: `Path.root('spec', 'ports')` is `spec.ports`. */
  static root(...names: string[]): Path {
    return new Path('').child(...names);
  }

  child(...names: string[]): Path {
    let text = this.text;
    for (const name of names) text = text ? `${text}.${name}` : name;
    return new Path(text);
  }

  index(i: number): Path {
    return new Path(`${this.text}[${i}]`);
  }

  key(k: string): Path {
    return new Path(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

/** A bad value already rendered the way upstream prints it (Go `%#v`, a Stringer); shown verbatim. */
export class Shown {
  constructor(readonly text: string) {}
}

/** A value as upstream's ErrorBody prints it: strings quoted, numbers and booleans bare, null as `"null"`. */
function showValue(value: unknown): string {
  if (value instanceof Shown) return value.text;
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function goQuote(s: unknown): string {
  return JSON.stringify(String(s ?? ''));
}

/** Go's `%#v` of a map[string]string (keys sorted), e.g. `map[string]string{"app":"web"}`. */
export function goStringMap(m: unknown): Shown {
  if (m === null || m === undefined || typeof m !== 'object') return new Shown('map[string]string(nil)');
  const entries = Object.entries(m as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Shown(`map[string]string{${entries.map(([k, v]) => `${goQuote(k)}:${goQuote(v)}`).join(', ')}}`);
}

/** Go's `%#v` of a []string, e.g. `[]string{"a", "b"}`. */
export function goStrings(values: unknown): Shown {
  if (!Array.isArray(values)) return new Shown('[]string(nil)');
  return new Shown(`[]string{${values.map(goQuote).join(', ')}}`);
}

/** Go's `%#v` of a metav1.LabelSelector, as upstream prints an immutable or empty selector. */
export function goLabelSelector(sel: any): Shown {
  if (sel === null || sel === undefined) return new Shown('"null"');
  const exprs: any[] = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  const exprText = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e?.key)}, Operator:${goQuote(e?.operator)}, Values:${goStrings(e?.values).text}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new Shown(`v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels).text}, MatchExpressions:${exprText}}`);
}

/** An IntOrString prints through its String method: `25%` or `0`, unquoted. */
export function intOrString(v: unknown): Shown {
  return new Shown(String(v ?? 0));
}

function body(kind: string, value: string | undefined, detail: string): string {
  let s = value === undefined ? kind : `${kind}: ${value}`;
  if (detail) s += `: ${detail}`;
  return s;
}

export function required(path: Path, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field: path.toString(), message: body('Required value', undefined, detail) };
}

export function invalid(path: Path, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path.toString(), message: body('Invalid value', showValue(value), detail) };
}

export function notSupported(path: Path, value: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field: path.toString(), message: body('Unsupported value', showValue(value), detail) };
}

export function duplicate(path: Path, value: unknown, detail = ''): FieldError {
  return { type: 'FieldValueDuplicate', field: path.toString(), message: body('Duplicate value', showValue(value), detail) };
}

export function notFound(path: Path, value: unknown, detail = ''): FieldError {
  return { type: 'FieldValueNotFound', field: path.toString(), message: body('Not found', showValue(value), detail) };
}

export function forbidden(path: Path, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field: path.toString(), message: body('Forbidden', undefined, detail) };
}

/** The value is never shown; the limit is in bytes. */
export function tooLong(path: Path, maxBytes: number): FieldError {
  const detail = `may not be more than ${maxBytes} ${maxBytes === 1 ? 'byte' : 'bytes'}`;
  return { type: 'FieldValueTooLong', field: path.toString(), message: body('Too long', undefined, detail) };
}

export function tooMany(path: Path, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: path.toString(), message: body('Too many', String(actual), `must have at most ${max} items`) };
}

/** One `Invalid` error per message from a syntax check (names.ts style), all at `path`. */
export function invalidEach(path: Path, value: unknown, messages: readonly string[]): FieldError[] {
  return messages.map((m) => invalid(path, value, m));
}
