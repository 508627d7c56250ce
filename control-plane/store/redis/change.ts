/**
 * A change read from a resource's event stream, parsed once and shared by every watcher it is
 * delivered to: its objects are read-only.
 */
import type { KObject } from '../store.js';
import { decode, rvOfId } from './codec.js';
import type { StreamEntry } from './scripts.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: ChangeType;
  /** The index member `<namespace>/<name>`. */
  member: string;
  /** The object after the change (for DELETED: its last state), carrying the change's rv. */
  object: KObject;
  /** MODIFIED only: the object before the change, carrying the change's rv (parsed on first call). */
  previous(): KObject | undefined;
}

/** Parses a stream entry written by the write scripts (fields type, key, obj[, prev]). */
export function parseEntry([id, fields]: StreamEntry): Change {
  let type = '';
  let member = '';
  let obj = '';
  let prev: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    switch (fields[i]) {
      case 'type':
        type = value;
        break;
      case 'key':
        member = value;
        break;
      case 'obj':
        obj = value;
        break;
      case 'prev':
        prev = value;
        break;
    }
  }
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') throw new Error(`stream entry ${id} has unknown type '${type}'`);
  const rv = rvOfId(id);
  const rvString = String(rv);
  let previous: KObject | undefined;
  return {
    rv,
    type,
    member,
    object: decode(obj, rvString),
    previous() {
      if (previous === undefined && prev !== undefined) previous = decode(prev, rvString);
      return previous;
    },
  };
}
