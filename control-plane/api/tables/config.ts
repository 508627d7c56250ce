/** Printers of configuration kinds: ConfigMap, Secret, ServiceAccount, ResourceQuota. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { quantityString } from './format.js';

const size = (map: unknown): number => (map && typeof map === 'object' ? Object.keys(map).length : 0);

export const configMapTable: TableDef = {
  columns: [NAME_COLUMN, column('Data', 'string', DOC['ConfigMap.data']), AGE_COLUMN],
  row(cm, now) {
    return [nameOf(cm), size(cm.data) + size(cm.binaryData), ageOf(cm, now)];
  },
};

export const secretTable: TableDef = {
  columns: [NAME_COLUMN, column('Type', 'string', DOC['Secret.type']), column('Data', 'string', DOC['Secret.data']), AGE_COLUMN],
  row(secret, now) {
    return [nameOf(secret), secret.type ?? '', size(secret.data), ageOf(secret, now)];
  },
};

export const serviceAccountTable: TableDef = {
  columns: [NAME_COLUMN, column('Secrets', 'string', DOC['ServiceAccount.secrets']), AGE_COLUMN],
  row(sa, now) {
    return [nameOf(sa), (sa.secrets ?? []).length, ageOf(sa, now)];
  },
};

/** REQUEST and LIMIT cells: `resource: used/hard` pairs sorted by resource, `limits.*` in LIMIT. */
function quotaCells(quota: any): [string, string] {
  const hard: Record<string, unknown> = quota.status?.hard ?? {};
  const used: Record<string, unknown> = quota.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const entry = `${resource}: ${quantityString(used[resource])}/${quantityString(hard[resource])}`;
    const pieces = resource.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    AGE_COLUMN,
  ],
  row(quota, now) {
    return [nameOf(quota), ...quotaCells(quota), ageOf(quota, now)];
  },
};
