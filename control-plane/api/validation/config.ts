/**
 * ConfigMaps and Secrets as upstream validates them: config keys, no key in both data and
 * binaryData, 1 MiB of content, the keys each Secret type requires, an immutable Secret type and
 * `immutable: true` objects whose content may never change. Secret `stringData` has been merged
 * into `data` by defaulting, as upstream's conversion does.
 */
import type { FieldError } from '../status.js';
import { Path, forbidden, invalid, invalidEach, required, tooLong } from './field.js';
import { configMapKey } from './formats.js';
import { deepEqual, isObject, record, sortedEntries, text } from './json.js';
import { type MetaRules, immutable, subdomainName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const RULES: MetaRules = { namespaced: true, name: subdomainName };
/** Upstream's MaxSecretSize, also the ConfigMap limit. */
export const MAX_CONFIG_SIZE = 1024 * 1024;
const REDACTED = '<secret contents redacted>';
const DATA = Path.root('data');

/** The decoded bytes of a base64 value, or the offset of the first bad byte. */
function decodeBase64(value: unknown): { bytes: Buffer } | { badAt: number } {
  const s = text(value);
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad) return { badAt: bad.index };
  if (s.length % 4 !== 0) return { badAt: s.length - (s.length % 4) };
  const pad = s.indexOf('=');
  if (pad >= 0 && pad < s.length - 2) return { badAt: pad };
  return { bytes: Buffer.from(s, 'base64') };
}

/** Go's json.Unmarshal into map[string]interface{}: the error text, or undefined when valid. */
function jsonObjectError(bytes: Buffer): string | undefined {
  const s = bytes.toString('utf8');
  try {
    const v = JSON.parse(s);
    if (isObject(v)) return undefined;
    const kind = Array.isArray(v) ? 'array' : v === null ? undefined : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool';
    return kind ? `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` : undefined;
  } catch {
    const first = s.trimStart()[0];
    return first === undefined ? 'unexpected end of JSON input' : `invalid character '${first}' looking for beginning of value`;
  }
}

function validateKeys(map: unknown, path: Path): FieldError[] {
  return sortedEntries(map).flatMap(([key]) => invalidEach(path.key(key), key, configMapKey(key)));
}

function validateConfigMapContent(cm: Record<string, any>): FieldError[] {
  const errs = validateKeys(cm.data, DATA);
  const binary = record(cm.binaryData);
  let size = 0;
  for (const [key, value] of sortedEntries(cm.data)) {
    if (key in binary) errs.push(invalid(DATA.key(key), key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(text(value));
  }
  errs.push(...validateKeys(cm.binaryData, Path.root('binaryData')));
  for (const [key, value] of sortedEntries(binary)) {
    const decoded = decodeBase64(value);
    if ('badAt' in decoded) errs.push(invalid(Path.root('binaryData').key(key), key, `illegal base64 data at input byte ${decoded.badAt}`));
    else size += decoded.bytes.length;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong(Path.root(''), MAX_CONFIG_SIZE));
  return errs;
}

/** Content of an `immutable: true` object may not change, nor may it become mutable again. */
function validateImmutableContent(obj: Record<string, any>, old: Record<string, any>, fields: readonly string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbidden(Path.root('immutable'), 'field is immutable when `immutable` is set'));
  for (const field of fields) {
    if (!deepEqual(obj[field], old[field])) errs.push(forbidden(Path.root(field), 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMap(obj: any, old?: any): FieldError[] {
  const cm = record(obj);
  if (old === undefined) return [...validateObjectMeta(cm.metadata, RULES), ...validateConfigMapContent(cm)];
  return [
    ...validateObjectMetaUpdate(cm.metadata, old?.metadata),
    ...validateImmutableContent(cm, record(old), ['data', 'binaryData']),
    ...validateObjectMeta(cm.metadata, RULES),
    ...validateConfigMapContent(cm),
  ];
}

function validateSecretContent(secret: Record<string, any>): FieldError[] {
  const errs = validateKeys(secret.data, DATA);
  const decoded = new Map<string, Buffer>();
  let size = 0;
  for (const [key, value] of sortedEntries(secret.data)) {
    const d = decodeBase64(value);
    if ('badAt' in d) {
      errs.push(invalid(DATA.key(key), REDACTED, `illegal base64 data at input byte ${d.badAt}`));
      continue;
    }
    decoded.set(key, d.bytes);
    size += d.bytes.length;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong(DATA, MAX_CONFIG_SIZE));
  const has = (key: string) => decoded.has(key);
  const jsonKey = (key: string): void => {
    if (!has(key)) {
      errs.push(required(DATA.key(key)));
      return;
    }
    const problem = jsonObjectError(decoded.get(key)!);
    if (problem) errs.push(invalid(DATA.key(key), REDACTED, problem));
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!text(record(record(secret.metadata).annotations)['kubernetes.io/service-account.name'])) {
        errs.push(required(Path.root('metadata', 'annotations').key('kubernetes.io/service-account.name')));
      }
      break;
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required(DATA.key('username')), required(DATA.key('password')));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decoded.get('ssh-privatekey')?.length) errs.push(required(DATA.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(DATA.key('tls.crt')));
      if (!has('tls.key')) errs.push(required(DATA.key('tls.key')));
      break;
  }
  return errs;
}

export function validateSecret(obj: any, old?: any): FieldError[] {
  const secret = record(obj);
  if (old === undefined) return [...validateObjectMeta(secret.metadata, RULES), ...validateSecretContent(secret)];
  return [
    ...validateObjectMetaUpdate(secret.metadata, old?.metadata),
    ...immutable(text(secret.type), text(old?.type), Path.root('type')),
    ...validateImmutableContent(secret, record(old), ['data']),
    ...validateObjectMeta(secret.metadata, RULES),
    ...validateSecretContent(secret),
  ];
}
