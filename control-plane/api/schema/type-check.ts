/**
 * JSON type checking of decoded objects against the schema, as upstream's typed decoder refuses a
 * body whose values do not fit the Go fields they land in: a string where an int32 belongs, an
 * object where a list belongs, a fraction or an out-of-range number in an integer field, a
 * timestamp that is not RFC 3339. Upstream answers these 400 BadRequest with the decoder's words
 * (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`),
 * which is what `typeMismatch` returns. JSON null fits every field (it decodes to the zero value);
 * `decodeTypes` also writes those zero values into lists and maps, as the decoder's output has them.
 * Never throws. Recursion follows the schema, which has no cycles, so its depth is bounded.
 */
import { badRequest, type StatusError } from '../status.js';
import { fieldsOf, parseType, typeOfKind, upstreamNameOf, type TypeExpr } from './types.js';

/**
 * Fields whose Go type is resource.Quantity (the schema calls them strings): a Quantity decodes
 * from a JSON string or number. Derived from kubernetes-types' `Quantity` fields of served types.
 */
const QUANTITY_FIELDS = new Set([
  'V1ContainerStatus.allocatedResources',
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1LimitRangeItem.default',
  'V1LimitRangeItem.defaultRequest',
  'V1LimitRangeItem.max',
  'V1LimitRangeItem.maxLimitRequestRatio',
  'V1LimitRangeItem.min',
  'V1NodeStatus.allocatable',
  'V1NodeStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeSpec.capacity',
  'V1PodSpec.overhead',
  'V1ResourceFieldSelector.divisor',
  'V1ResourceQuotaSpec.hard',
  'V1ResourceQuotaStatus.hard',
  'V1ResourceQuotaStatus.used',
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V2MetricTarget.averageValue',
  'V2MetricTarget.value',
  'V2MetricValueStatus.averageValue',
  'V2MetricValueStatus.value',
]);

/** What upstream says of a Quantity that is neither a string nor a number. */
const QUANTITY_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';

/** The type a value is checked against: a schema type, with Quantity told apart from string. */
type Expected =
  | Extract<TypeExpr, { kind: 'primitive' | 'object' }>
  | { kind: 'list' | 'map'; of: Expected }
  | { kind: 'quantity' };

/** Where a value sits, for messages: the Go struct holding the field and the field path from the root. */
interface Site {
  struct: string;
  path: string;
}

const INT_RANGES = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
} as const;

/** Go's name for a JSON value's kind in decoding errors. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

/** The last dotted segment of a model's upstream name (`io.k8s.api.apps.v1.DeploymentSpec` → DeploymentSpec), and its package. */
function goName(model: string): { pkg: string; name: string } {
  const parts = (upstreamNameOf(model) ?? model).split('.');
  return { name: parts[parts.length - 1]!, pkg: parts[parts.length - 2] ?? '' };
}

/** Go's spelling of the type a value of `t` decodes into. */
function goType(t: Expected): string {
  switch (t.kind) {
    case 'quantity':
      return 'resource.Quantity';
    case 'list':
      return `[]${goType(t.of)}`;
    case 'map':
      return `map[string]${goType(t.of)}`;
    case 'object': {
      const { pkg, name } = goName(t.name);
      return `${pkg}.${name}`;
    }
    case 'primitive':
      switch (t.name) {
        case 'boolean':
          return 'bool';
        case 'int32':
        case 'int-or-string':
          return 'int32';
        case 'int64':
          return 'int64';
        case 'number':
          return 'float64';
        case 'byte':
          return '[]uint8';
        default:
          return 'string';
      }
  }
}

function unmarshalError(value: string, site: Site, t: Expected): string {
  return `json: cannot unmarshal ${value} into Go struct field ${site.struct}.${site.path} of type ${goType(t)}`;
}

/** Why `s` is not an RFC 3339 time in Go's words, or undefined when it is one. */
export function rfc3339Problem(s: string): string | undefined {
  const quoted = (x: string) => JSON.stringify(x);
  const prefix = `parsing time ${quoted(s)}`;
  const elements: [string, RegExp][] = [
    ['2006', /^\d{4}/],
    ['-', /^-/],
    ['01', /^\d{2}/],
    ['-', /^-/],
    ['02', /^\d{2}/],
    ['T', /^T/],
    ['15', /^\d{2}/],
    [':', /^:/],
    ['04', /^\d{2}/],
    [':', /^:/],
    ['05', /^\d{2}(\.\d+)?/],
    ['Z07:00', /^(Z|[+-]\d{2}:\d{2})/],
  ];
  let rest = s;
  for (const [layout, re] of elements) {
    const m = re.exec(rest);
    if (!m) return `${prefix} as ${quoted(RFC3339_LAYOUT)}: cannot parse ${quoted(rest)} as ${quoted(layout)}`;
    rest = rest.slice(m[0].length);
  }
  if (rest) return `${prefix}: extra text: ${quoted(rest)}`;
  const [year, month, day, hour, minute, second] = s.match(/\d+/g)!.map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return `${prefix}: month out of range`;
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return `${prefix}: day out of range`;
  if (hour > 23) return `${prefix}: hour out of range`;
  if (minute > 59) return `${prefix}: minute out of range`;
  if (second > 59) return `${prefix}: second out of range`;
  return undefined;
}

function checkPrimitive(v: unknown, t: Extract<TypeExpr, { kind: 'primitive' }>, site: Site): string | undefined {
  const kind = jsonKind(v);
  switch (t.name) {
    case 'any':
      return undefined;
    case 'string':
    case 'byte':
      return kind === 'string' ? undefined : unmarshalError(kind, site, t);
    case 'date-time':
      if (kind !== 'string') return unmarshalError(kind, site, t);
      return rfc3339Problem(v as string);
    case 'boolean':
      return kind === 'bool' ? undefined : unmarshalError(kind, site, t);
    case 'number':
      if (kind !== 'number') return unmarshalError(kind, site, t);
      return Number.isFinite(v) ? undefined : unmarshalError(`number ${String(v)}`, site, t);
    case 'int-or-string':
      // A string is kept as one; anything else must decode as an int32.
      return kind === 'string' ? undefined : checkInteger(v, 'int32', site, t);
    case 'int32':
    case 'int64':
      return checkInteger(v, t.name, site, t);
  }
}

function checkInteger(v: unknown, size: 'int32' | 'int64', site: Site, t: Expected): string | undefined {
  const kind = jsonKind(v);
  if (kind !== 'number') return unmarshalError(kind, site, t);
  const [min, max] = INT_RANGES[size];
  const n = v as number;
  return Number.isInteger(n) && n >= min && n <= max ? undefined : unmarshalError(`number ${String(n)}`, site, t);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's zero value of a type as JSON: what a null list item or map value decodes to. */
function zeroValue(t: Expected): unknown {
  switch (t.kind) {
    case 'object':
      return {};
    case 'quantity':
      return '0';
    case 'primitive':
      switch (t.name) {
        case 'string':
        case 'byte':
          return '';
        case 'boolean':
          return false;
        case 'int32':
        case 'int64':
        case 'number':
        case 'int-or-string':
          return 0;
        default:
          return null; // a zero Time and an empty RawExtension encode as null
      }
    default:
      return null; // a nil list or map
  }
}

/**
 * The first mismatch under `v` (expected to be of type `t`), in document order. With `fill`, null
 * list items and map values become their type's zero value on the way.
 */
function check(v: unknown, t: Expected, site: Site, fill: boolean): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (t.kind) {
    case 'quantity':
      return typeof v === 'string' || typeof v === 'number' ? undefined : QUANTITY_MESSAGE;
    case 'primitive':
      return checkPrimitive(v, t, site);
    case 'list':
      if (!Array.isArray(v)) return unmarshalError(jsonKind(v), site, t);
      for (let i = 0; i < v.length; i++) {
        if (v[i] === null && fill) v[i] = zeroValue(t.of);
        const found = check(v[i], t.of, site, fill);
        if (found) return found;
      }
      return undefined;
    case 'map':
      if (!isPlainObject(v)) return unmarshalError(jsonKind(v), site, t);
      for (const key of Object.keys(v)) {
        if (v[key] === null && fill) v[key] = zeroValue(t.of);
        const found = check(v[key], t.of, site, fill);
        if (found) return found;
      }
      return undefined;
    case 'object':
      if (!isPlainObject(v)) return unmarshalError(jsonKind(v), site, t);
      return checkFields(v, t.name, site.path, fill);
  }
}

function checkFields(obj: Record<string, unknown>, model: string, path: string, fill: boolean): string | undefined {
  const fields = fieldsOf(model);
  if (!fields) return undefined;
  const struct = goName(model).name;
  for (const [key, value] of Object.entries(obj)) {
    if (!Object.hasOwn(fields, key)) continue; // unknown fields are pruneUnknownFields' business
    const declared = parseType(fields[key]!);
    const expected: Expected = QUANTITY_FIELDS.has(`${model}.${key}`) ? quantityOf(declared) : declared;
    const found = check(value, expected, { struct, path: path ? `${path}.${key}` : key }, fill);
    if (found) return found;
  }
  return undefined;
}

/** A Quantity field's type: the schema's string (or map of strings) with Quantity in place of string. */
function quantityOf(t: TypeExpr): Expected {
  return t.kind === 'map' ? { kind: 'map', of: { kind: 'quantity' } } : { kind: 'quantity' };
}

function run(group: string, version: string, kind: string, obj: unknown, fill: boolean): string | undefined {
  const model = typeOfKind(group, version, kind);
  if (!model || !isPlainObject(obj)) return undefined;
  return checkFields(obj, model, '', fill);
}

/**
 * The first value of `obj` whose JSON type the schema of group/version/kind does not allow, as
 * upstream's decoder words it, or undefined when all fit. Fields the schema does not declare are
 * not looked at, and a kind the schema does not know always passes. Does not modify `obj`.
 */
export function typeMismatch(group: string, version: string, kind: string, obj: unknown): string | undefined {
  return run(group, version, kind, obj, false);
}

/**
 * Decodes `obj` in place as upstream's typed decoder would: like typeMismatch, and null list items
 * and map values become the zero value of their type (`containers: [null]` → `[{}]`, a null label
 * value → `""`), so that nothing downstream meets a null where an element belongs. Null struct
 * fields stay: they read as unset. Returns the first mismatch, if any (then `obj` may be half done).
 */
export function decodeTypes(group: string, version: string, kind: string, obj: unknown): string | undefined {
  return run(group, version, kind, obj, true);
}

/** The 400 upstream answers for a body its decoder refuses: `<Kind> in version "<v>" cannot be handled as a <Kind>: <why>`. */
export function cannotDecode(kind: string, version: string, why: string): StatusError {
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
}
