/**
 * ObjectMeta, labels, annotations and label selectors, validated as upstream's
 * apimachinery ValidateObjectMeta / ValidateObjectMetaUpdate (plus core's finalizer rule), and the
 * small shared checks every kind uses (non-negative numbers, immutable fields, qualified names).
 */
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, Shown, forbidden, goStrings, invalid, invalidEach, notSupported, required, tooLong } from './field.js';
import { maskTrailingDash, pathSegmentName } from './formats.js';
import { deepEqual, isSet, list, record, sortedEntries, text } from './json.js';

/** Checks a name; `prefix` is true for a generateName, whose trailing dash is allowed. */
export type NameCheck = (name: string, prefix: boolean) => string[];

/** Most kinds: an RFC 1123 subdomain. */
export const subdomainName: NameCheck = (name, prefix) => dns1123Subdomain(prefix ? maskTrailingDash(name) : name);
/** Namespaces: an RFC 1123 label. */
export const labelName: NameCheck = (name, prefix) => dns1123Label(prefix ? maskTrailingDash(name) : name);
/** Services: an RFC 1035 label. */
export const dns1035Name: NameCheck = (name, prefix) => dns1035Label(prefix ? maskTrailingDash(name) : name);
/** RBAC objects and Events: any path segment. */
export const pathSegment: NameCheck = (name, prefix) => pathSegmentName(name, prefix);

export interface MetaRules {
  namespaced: boolean;
  name: NameCheck;
}

export const METADATA = Path.root('metadata');
const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const NEGATIVE_MESSAGE = 'must be greater than or equal to 0';
export const IMMUTABLE_MESSAGE = 'field is immutable';

/** A value that must not be negative (upstream's ValidateNonnegativeField); unset passes. */
export function nonNegative(value: unknown, path: Path): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(path, value, NEGATIVE_MESSAGE)] : [];
}

/** Upstream's ValidateImmutableField: `shown` renders the new value when it is not a plain scalar. */
export function immutable(newValue: unknown, oldValue: unknown, path: Path, shown: unknown = newValue): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [invalid(path, shown, IMMUTABLE_MESSAGE)];
}

export function validateQualifiedName(value: string, path: Path): FieldError[] {
  return invalidEach(path, value, qualifiedName(value));
}

/** Label keys and values; errors point at the map itself, as upstream's do. */
export function validateLabels(labels: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of sortedEntries(labels)) {
    errs.push(...invalidEach(path, key, qualifiedName(key)));
    errs.push(...invalidEach(path, value, labelValue(text(value))));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of sortedEntries(annotations)) {
    errs.push(...invalidEach(path, key, qualifiedName(key.toLowerCase())));
    size += Buffer.byteLength(key) + Buffer.byteLength(text(value));
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE));
  return errs;
}

/** A metav1.LabelSelector's syntax (upstream's ValidateLabelSelector); a missing selector passes. */
export function validateLabelSelector(sel: unknown, path: Path): FieldError[] {
  if (!isSet(sel)) return [];
  const s = record(sel);
  const errs = validateLabels(s.matchLabels, path.child('matchLabels'));
  list(s.matchExpressions).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const e = record(expr);
    const values = list(e.values);
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(p.child('operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateQualifiedName(text(e.key), p.child('key')));
    values.forEach((v, j) => errs.push(...invalidEach(p.child('values').index(j), v, labelValue(text(v)))));
  });
  return errs;
}

function validateOwnerReferences(refs: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let controller = '';
  for (const raw of list(refs)) {
    const ref = record(raw);
    const apiVersion = text(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (!version) errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (!text(ref.kind)) errs.push(invalid(path.child('kind'), text(ref.kind), 'must not be empty'));
    if (!text(ref.name)) errs.push(invalid(path.child('name'), text(ref.name), 'must not be empty'));
    if (!text(ref.uid)) errs.push(invalid(path.child('uid'), text(ref.uid), 'must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${text(ref.kind)}/${text(ref.name)}`;
      if (controller) {
        errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`));
      } else {
        controller = current;
      }
    }
  }
  return errs;
}

/**
 * A finalizer name: a qualified name, domain-prefixed unless it is a standard one (`kubernetes`,
 * `orphan`, `foregroundDeletion`). Syntax errors point at `path`, the prefix rule at `itemPath`.
 */
export function validateFinalizerName(name: string, path: Path, itemPath: Path = path): FieldError[] {
  const syntax = qualifiedName(name);
  const errs = invalidEach(path, name, syntax);
  if (syntax.length === 0 && !name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    errs.push(invalid(itemPath, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = list(finalizers).map(text);
  names.forEach((name, i) => errs.push(...validateFinalizerName(name, path, path.index(i))));
  if (names.includes('orphan') && names.includes('foregroundDeletion')) {
    errs.push(invalid(path, names, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateMetaCommon(meta: Record<string, any>, path: Path): FieldError[] {
  return [
    ...validateLabels(meta.labels, path.child('labels')),
    ...validateAnnotations(meta.annotations, path.child('annotations')),
    ...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')),
    ...validateFinalizers(meta.finalizers, path.child('finalizers')),
  ];
}

/**
 * ObjectMeta on create. A missing name is allowed when generateName is set (the server generates
 * the name); both are checked with the kind's name rule. Namespaced kinds need a namespace,
 * cluster-scoped kinds must not have one.
 */
export function validateObjectMeta(metadata: unknown, rules: MetaRules, path: Path = METADATA): FieldError[] {
  const meta = record(metadata);
  const errs: FieldError[] = [];
  const name = text(meta.name);
  const generateName = text(meta.generateName);
  if (generateName) errs.push(...invalidEach(path.child('generateName'), generateName, rules.name(generateName, true)));
  if (name) errs.push(...invalidEach(path.child('name'), name, rules.name(name, false)));
  else if (!generateName) errs.push(required(path.child('name'), 'name or generateName is required'));
  const namespace = text(meta.namespace);
  if (rules.namespaced) {
    if (!namespace) errs.push(required(path.child('namespace')));
    else errs.push(...invalidEach(path.child('namespace'), namespace, dns1123Label(namespace)));
  } else if (namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(meta.generation, path.child('generation')));
  return errs.concat(validateMetaCommon(meta, path));
}

/** Go's time.Time String form of an RFC 3339 timestamp, as an immutable-timestamp error shows it. */
function goTime(value: unknown): Shown | null {
  if (typeof value !== 'string') return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return new Shown(value);
  return new Shown(`${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`);
}

/**
 * ObjectMeta on update: name, namespace, uid, creationTimestamp, deletionTimestamp and
 * deletionGracePeriodSeconds are immutable; generation may not go down; no finalizer may be added
 * once deletion started; labels, annotations, owners and finalizers are re-checked.
 */
export function validateObjectMetaUpdate(metadata: unknown, oldMetadata: unknown, path: Path = METADATA): FieldError[] {
  const meta = record(metadata);
  const old = record(oldMetadata);
  const errs: FieldError[] = [];
  if (isSet(old.deletionTimestamp)) {
    const known = new Set(list(old.finalizers));
    const added = list(meta.finalizers).filter((f) => !known.has(f));
    if (added.length) {
      errs.push(forbidden(path.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStrings([...new Set(added)].sort()).text}`));
    }
  }
  if (typeof meta.generation === 'number' && typeof old.generation === 'number' && meta.generation < old.generation) {
    errs.push(invalid(path.child('generation'), meta.generation, 'must not be decremented'));
  }
  for (const field of ['name', 'namespace', 'uid'] as const) {
    errs.push(...immutable(text(meta[field]), text(old[field]), path.child(field)));
  }
  for (const field of ['creationTimestamp', 'deletionTimestamp'] as const) {
    errs.push(...immutable(meta[field] ?? null, old[field] ?? null, path.child(field), goTime(meta[field])));
  }
  errs.push(...immutable(meta.deletionGracePeriodSeconds ?? null, old.deletionGracePeriodSeconds ?? null, path.child('deletionGracePeriodSeconds')));
  return errs.concat(validateMetaCommon(meta, path));
}

/** An enum field that must be set (after defaulting) to one of `valid`. */
export function validateEnum(value: unknown, valid: readonly string[], path: Path, requiredDetail = ''): FieldError[] {
  if (value === undefined || value === null || value === '') return [required(path, requiredDetail)];
  return valid.includes(value as string) ? [] : [notSupported(path, value, valid)];
}
