/**
 * LimitRange and ResourceQuota defaults: a Container limit's default limit falls back to its max,
 * its default request to the default limit and then to its min (upstream's
 * SetDefaults_LimitRangeItem); all quantities written in canonical form.
 */
import { eachObject, existing, isObject } from './fields.js';
import { defaultResourceList } from './resources.js';

function defaultLimitRangeItem(item: Record<string, any>): void {
  const lists = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];
  for (const l of lists) defaultResourceList(item[l]);
  if (item.type !== 'Container') return;
  const def: Record<string, any> = isObject(item.default) ? item.default : {};
  const defReq: Record<string, any> = isObject(item.defaultRequest) ? item.defaultRequest : {};
  const fill = (target: Record<string, any>, from: unknown) => {
    if (!isObject(from)) return;
    for (const [k, v] of Object.entries(from)) if (target[k] === undefined) target[k] = v;
  };
  fill(def, item.max);
  fill(defReq, def);
  fill(defReq, item.min);
  if (Object.keys(def).length > 0) item.default = def;
  if (Object.keys(defReq).length > 0) item.defaultRequest = defReq;
}

export function defaultLimitRange(obj: any): void {
  eachObject(existing(obj, 'spec'), 'limits', defaultLimitRangeItem);
}

export function defaultResourceQuota(obj: any): void {
  defaultResourceList(existing(obj, 'spec')?.hard);
}
