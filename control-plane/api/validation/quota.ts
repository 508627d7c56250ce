/**
 * LimitRanges and ResourceQuotas as upstream validates them: resource names known or
 * domain-prefixed, quantities valid, and a LimitRange's min <= defaultRequest <= default <= max.
 */
import { qualifiedName } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, Shown, duplicate, forbidden, invalid, invalidEach, required } from './field.js';
import { isSet, list, record, sortedEntries, text } from './json.js';
import { IMMUTABLE_MESSAGE, type MetaRules, subdomainName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  isOvercommitAllowed,
  quantityValue,
  shownQuantity,
  validateContainerResourceName,
  validateQuotaResourceName,
  validateResourceName,
  validateResourceQuantity,
} from './resources.js';

const RULES: MetaRules = { namespaced: true, name: subdomainName };
const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

function meta(obj: any, old: any): FieldError[] {
  return old === undefined ? validateObjectMeta(obj?.metadata, RULES) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
}

function validateLimitType(type: string, path: Path): FieldError[] {
  const errs = invalidEach(path, type, qualifiedName(type));
  if (errs.length) return errs;
  return !type.includes('/') && !LIMIT_TYPES.has(type) ? [invalid(path, type, 'must be a standard limit type or fully qualified')] : [];
}

function q(value: unknown): Shown {
  return new Shown(shownQuantity(value));
}

/** One LimitRange item's quantities, compared as upstream does. */
function compareLimits(name: string, lists: Record<string, Record<string, any>>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const scratch: FieldError[] = [];
  const value = (list: string) => (isSet(lists[list]![name]) ? quantityValue(lists[list]![name], path, scratch) : undefined);
  const raw = (list: string) => lists[list]![name];
  const [min, max, def, defReq, ratio] = ['min', 'max', 'default', 'defaultRequest', 'maxLimitRequestRatio'].map(value);
  const at = (list: string) => path.child(list).key(name);
  if (min !== undefined && max !== undefined && min > max) errs.push(invalid(at('min'), q(raw('min')), `min value ${shownQuantity(raw('min'))} is greater than max value ${shownQuantity(raw('max'))}`));
  if (defReq !== undefined && min !== undefined && min > defReq) errs.push(invalid(at('defaultRequest'), q(raw('defaultRequest')), `min value ${shownQuantity(raw('min'))} is greater than default request value ${shownQuantity(raw('defaultRequest'))}`));
  if (defReq !== undefined && max !== undefined && defReq > max) errs.push(invalid(at('defaultRequest'), q(raw('defaultRequest')), `default request value ${shownQuantity(raw('defaultRequest'))} is greater than max value ${shownQuantity(raw('max'))}`));
  if (defReq !== undefined && def !== undefined && defReq > def) errs.push(invalid(at('defaultRequest'), q(raw('defaultRequest')), `default request value ${shownQuantity(raw('defaultRequest'))} is greater than default limit value ${shownQuantity(raw('default'))}`));
  if (def !== undefined && min !== undefined && min > def) errs.push(invalid(at('default'), q(raw('min')), `min value ${shownQuantity(raw('min'))} is greater than default value ${shownQuantity(raw('default'))}`));
  if (def !== undefined && max !== undefined && def > max) errs.push(invalid(at('default'), q(raw('max')), `default value ${shownQuantity(raw('default'))} is greater than max value ${shownQuantity(raw('max'))}`));
  if (ratio !== undefined && ratio < 1) errs.push(invalid(at('maxLimitRequestRatio'), q(raw('maxLimitRequestRatio')), `ratio ${shownQuantity(raw('maxLimitRequestRatio'))} is less than 1`));
  if (ratio !== undefined && min !== undefined && max !== undefined && min > 0 && ratio > max / min) {
    errs.push(invalid(at('maxLimitRequestRatio'), q(raw('maxLimitRequestRatio')), `ratio ${shownQuantity(raw('maxLimitRequestRatio'))} is greater than max/min = ${(max / min).toFixed(6)}`));
  }
  if (!isOvercommitAllowed(name) && def !== undefined && defReq !== undefined && def !== defReq) {
    errs.push(invalid(at('defaultRequest'), q(raw('defaultRequest')), `default value ${shownQuantity(raw('default'))} must equal to defaultRequest value ${shownQuantity(raw('defaultRequest'))} in ${name}`));
  }
  return errs;
}

export function validateLimitRange(obj: any, old?: any): FieldError[] {
  const errs = meta(obj, old);
  const seenTypes = new Set<string>();
  list(record(obj?.spec).limits).forEach((raw, i) => {
    const item = record(raw);
    const p = Path.root('spec', 'limits').index(i);
    const type = text(item.type);
    errs.push(...validateLimitType(type, p.child('type')));
    if (seenTypes.has(type)) errs.push(duplicate(p.child('type'), type));
    seenTypes.add(type);
    const nameCheck = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const lists: Record<string, Record<string, any>> = {};
    const names = new Set<string>();
    for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      lists[field] = record(item[field]);
      if (type === 'Pod' && (field === 'default' || field === 'defaultRequest')) {
        if (Object.keys(lists[field]!).length > 0) errs.push(forbidden(p.child(field), "may not be specified when `type` is 'Pod'"));
        lists[field] = {};
        continue;
      }
      for (const [name, value] of sortedEntries(lists[field])) {
        errs.push(...nameCheck(name, p.child(field).key(name)));
        quantityValue(value, p.child(field).key(name), errs);
        names.add(name);
      }
    }
    if (type === 'PersistentVolumeClaim' && !isSet(lists.min!.storage) && !isSet(lists.max!.storage)) {
      errs.push(required(p.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    for (const name of [...names].sort()) errs.push(...compareLimits(name, lists, p));
  });
  return errs;
}

const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
const CONFLICTING_SCOPES = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

function validateQuotaList(map: unknown, path: Path): FieldError[] {
  return sortedEntries(map).flatMap(([name, value]) => [...validateQuotaResourceName(name, path.key(name)), ...validateResourceQuantity(name, value, path.key(name))]);
}

export function validateResourceQuota(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const errs = [...meta(obj, old), ...validateQuotaList(spec.hard, Path.root('spec', 'hard'))];
  const scopes = list(spec.scopes);
  const scopesPath = Path.root('spec', 'scopes');
  for (const scope of scopes) {
    if (!QUOTA_SCOPES.includes(scope)) errs.push(invalid(scopesPath, scopes, 'unsupported scope'));
  }
  for (const pair of CONFLICTING_SCOPES) {
    if (pair.every((s) => scopes.includes(s))) errs.push(invalid(scopesPath, scopes, 'conflicting scopes'));
  }
  if (isSet(spec.scopeSelector)) {
    const exprPath = Path.root('spec', 'scopeSelector', 'matchExpressions');
    list(record(spec.scopeSelector).matchExpressions).forEach((raw) => {
      const req = record(raw);
      if (!QUOTA_SCOPES.includes(req.scopeName)) errs.push(invalid(exprPath.child('scopeName'), req.scopeName ?? '', 'unsupported scope'));
      const values = list(req.values);
      if (req.operator === 'In' || req.operator === 'NotIn') {
        if (values.length === 0) errs.push(required(exprPath.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
        if (values.length !== 0) errs.push(invalid(exprPath.child('values'), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      } else {
        errs.push(invalid(exprPath.child('operator'), req.operator ?? '', 'not a valid selector operator'));
      }
    });
  }
  if (old === undefined) {
    const status = record(obj?.status);
    errs.push(...validateQuotaList(status.hard, Path.root('status', 'hard')), ...validateQuotaList(status.used, Path.root('status', 'used')));
  } else {
    const oldScopes = new Set(list(record(old?.spec).scopes));
    if (oldScopes.size !== new Set(scopes).size || scopes.some((s) => !oldScopes.has(s))) errs.push(invalid(scopesPath, scopes, IMMUTABLE_MESSAGE));
  }
  return errs;
}
