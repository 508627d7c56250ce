/**
 * Container environment: `env` (names, exactly one `valueFrom` source, downward-API field paths),
 * `envFrom`, and the field/resource selectors shared with downwardAPI volumes, as upstream's
 * ValidateEnv / ValidateEnvFrom word them.
 */
import { dns1123Subdomain } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, invalid, invalidEach, notSupported, required } from './field.js';
import { configMapKey, envVarName, maskTrailingDash } from './formats.js';
import { isSet, list, record, text } from './json.js';
import { validateQualifiedName } from './meta.js';
import { isValidQuantity, canonicalQuantity } from '../quantity.js';

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
/** Field labels upstream's downward API conversion knows (others fail conversion). */
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName',
  'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs',
  'status.podIP', 'status.podIPs',
]);
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const CPU_DIVISORS = new Set(['1m', '1']);
const BYTE_DIVISORS = new Set(['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei']);

/** `metadata.labels['key']` style subscripts: [path, subscript]. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  const m = /^(.+)\['(.*)'\]$/.exec(fieldPath);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** A downward-API `fieldRef`; `allowed` lists the plain field paths accepted in this context. */
export function validateObjectFieldSelector(selector: unknown, allowed: readonly string[], path: Path): FieldError[] {
  const fs = record(selector);
  if (!text(fs.apiVersion)) return [required(path.child('apiVersion'))];
  const fieldPath = text(fs.fieldPath);
  if (!fieldPath) return [required(path.child('fieldPath'))];
  const sub = splitSubscript(fieldPath);
  const base = sub ? sub[0] : fieldPath;
  if (fs.apiVersion !== 'v1') {
    return [invalid(path.child('fieldPath'), fieldPath, `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`)];
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(base)) {
    return [invalid(path.child('fieldPath'), fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  }
  if (sub) {
    if (base === 'metadata.annotations') return validateQualifiedName(sub[1].toLowerCase(), path);
    if (base === 'metadata.labels') return validateQualifiedName(sub[1], path);
    return [invalid(path, base, 'does not support subscript')];
  }
  return allowed.includes(base) ? [] : [notSupported(path.child('fieldPath'), base, allowed)];
}

/** A `resourceFieldRef`; in volumes the container name is required. */
export function validateResourceFieldSelector(selector: unknown, path: Path, inVolume: boolean): FieldError[] {
  const fs = record(selector);
  const resource = text(fs.resource);
  const errs: FieldError[] = [];
  if (inVolume && !text(fs.containerName)) errs.push(required(path.child('containerName')));
  else if (!resource) errs.push(required(path.child('resource')));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
    errs.push(notSupported(path.child('resource'), resource, RESOURCE_FIELD_PATHS));
  }
  if (isSet(fs.divisor) && isValidQuantity(fs.divisor)) {
    const divisor = canonicalQuantity(fs.divisor);
    if (divisor !== '0') {
      if ((resource === 'limits.cpu' || resource === 'requests.cpu') && !CPU_DIVISORS.has(divisor)) {
        errs.push(invalid(path.child('divisor'), resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
      } else if ((resource === 'limits.memory' || resource === 'requests.memory') && !BYTE_DIVISORS.has(divisor)) {
        errs.push(invalid(path.child('divisor'), resource, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"));
      } else if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !BYTE_DIVISORS.has(divisor)) {
        errs.push(invalid(path.child('divisor'), resource, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"));
      }
    }
  }
  return errs;
}

function validateKeySelector(selector: unknown, path: Path): FieldError[] {
  const s = record(selector);
  const name = text(s.name);
  const errs = invalidEach(path.child('name'), name, dns1123Subdomain(name));
  const key = text(s.key);
  if (!key) errs.push(required(path.child('key')));
  else errs.push(...invalidEach(path.child('key'), key, configMapKey(key)));
  return errs;
}

function validateValueFrom(env: Record<string, any>, path: Path): FieldError[] {
  if (!isSet(env.valueFrom)) return [];
  const from = record(env.valueFrom);
  const errs: FieldError[] = [];
  let sources = 0;
  if (isSet(from.fieldRef)) {
    sources++;
    errs.push(...validateObjectFieldSelector(from.fieldRef, ENV_FIELD_PATHS, path.child('fieldRef')));
  }
  if (isSet(from.resourceFieldRef)) {
    sources++;
    errs.push(...validateResourceFieldSelector(from.resourceFieldRef, path.child('resourceFieldRef'), false));
  }
  if (isSet(from.configMapKeyRef)) {
    sources++;
    errs.push(...validateKeySelector(from.configMapKeyRef, path.child('configMapKeyRef')));
  }
  if (isSet(from.secretKeyRef)) {
    sources++;
    errs.push(...validateKeySelector(from.secretKeyRef, path.child('secretKeyRef')));
  }
  if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (text(env.value)) errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

export function validateEnv(env: unknown, path: Path): FieldError[] {
  return list(env).flatMap((raw, i) => {
    const ev = record(raw);
    const p = path.index(i);
    const name = text(ev.name);
    const errs = name ? invalidEach(p.child('name'), name, envVarName(name)) : [required(p.child('name'))];
    return errs.concat(validateValueFrom(ev, p.child('valueFrom')));
  });
}

export function validateEnvFrom(envFrom: unknown, path: Path): FieldError[] {
  return list(envFrom).flatMap((raw, i) => {
    const ev = record(raw);
    const p = path.index(i);
    const errs: FieldError[] = [];
    if (text(ev.prefix)) errs.push(...invalidEach(p.child('prefix'), ev.prefix, envVarName(ev.prefix)));
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      if (!isSet(ev[kind])) continue;
      sources++;
      const name = text(record(ev[kind]).name);
      if (!name) errs.push(required(p.child(kind, 'name')));
      else errs.push(...invalidEach(p.child(kind, 'name'), name, dns1123Subdomain(maskTrailingDash(name))));
    }
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
    return errs;
  });
}
