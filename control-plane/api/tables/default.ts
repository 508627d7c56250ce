/** The table of kinds without a printer, as upstream's default table convertor: Name and Created At. */
import type { TableDef } from '../registry.js';
import { NAME_COLUMN, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { parseTime } from './duration.js';

/** RFC 3339 in UTC to the second, like Go's time.RFC3339 of the creation time ('0001-01-01T00:00:00Z' when unset). */
function createdAt(obj: any): string {
  const t = parseTime(obj?.metadata?.creationTimestamp);
  return t === undefined ? '0001-01-01T00:00:00Z' : new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultTable: TableDef = {
  columns: [NAME_COLUMN, column('Created At', 'date', DOC['ObjectMeta.creationTimestamp'])],
  row(obj) {
    return [nameOf(obj), createdAt(obj)];
  },
};
