/** Building blocks shared by the printers: column definitions and the Name / Age cells. */
import type { ColumnDefinition } from '../registry.js';
import { DOC } from './docs.js';
import { translateTimestampSince } from './duration.js';

/** A column; `priority` 1 shows only with `-o wide`; `format` 'name' marks the object's name. */
export function column(name: string, type: ColumnDefinition['type'], description: string, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME_COLUMN = column('Name', 'string', DOC['ObjectMeta.name'], 0, 'name');
export const AGE_COLUMN = column('Age', 'string', DOC['ObjectMeta.creationTimestamp']);

export function nameOf(obj: any): string {
  return obj?.metadata?.name ?? '';
}

/** The Age cell: time since creation, '<unknown>' without a creationTimestamp. */
export function ageOf(obj: any, now: Date): string {
  return translateTimestampSince(obj?.metadata?.creationTimestamp, now);
}
