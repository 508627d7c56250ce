/**
 * meta.k8s.io/v1 Table answers for `kubectl get`: the kind's printer columns (api/tables) and one
 * row per object, each row carrying the object's metadata as PartialObjectMetadata so that kubectl
 * can show NAMESPACE and LABELS columns.
 */
import type { ResourceDef } from '../api/registry.js';
import { defaultTable, tables } from '../api/tables/index.js';

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function printerOf(def: ResourceDef) {
  return tables[def.storage] ?? defaultTable;
}

function rowOf(def: ResourceDef, obj: any, now: Date) {
  return {
    cells: printerOf(def).row(obj, now),
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
  };
}

/** A Table of `objects` (storage-version objects of `def`). */
export function toTable(def: ResourceDef, objects: any[], listMeta: Record<string, unknown>, now: Date) {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: printerOf(def).columns,
    rows: objects.map((o) => rowOf(def, o, now)),
  };
}
