/**
 * The Redis key layout of the store. Everything lives under one prefix (default `tug:`):
 *
 *   <p>rv                      the global resourceVersion counter (INCR)
 *   <p>objects:<resource>      hash: member -> `<rv>\n<json without metadata.resourceVersion>`
 *   <p>index:<resource>        sorted set (all scores 0) of members, for ordered lex-range listing
 *   <p>events:<resource>       stream of changes, entry id `<rv>-0`, fields type, key, obj[, prev]
 *   <p>compacted:<resource>    rv below which the stream no longer holds every event
 *
 * A member is `<namespace>/<name>` (namespace '' for cluster-scoped objects), so one namespace is
 * one lex range of the index and listing order matches upstream's key order.
 */
import type { ResourceRef } from '../../api/status.js';

export interface ResourceKeys {
  rv: string;
  objects: string;
  index: string;
  events: string;
  compacted: string;
}

export class KeySpace {
  constructor(readonly prefix: string) {}

  get rv(): string {
    return `${this.prefix}rv`;
  }

  /** The stream a resource's events go to. */
  events(resource: string): string {
    return `${this.prefix}events:${resource}`;
  }

  of(resource: string): ResourceKeys {
    return {
      rv: this.rv,
      objects: `${this.prefix}objects:${resource}`,
      index: `${this.prefix}index:${resource}`,
      events: this.events(resource),
      compacted: `${this.prefix}compacted:${resource}`,
    };
  }
}

/** The index member (and event key) of an object. */
export function memberOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** True when `member` belongs to `namespace` ('' or undefined: every member matches). */
export function inNamespace(member: string, namespace: string | undefined): boolean {
  return !namespace || member.startsWith(`${namespace}/`);
}

/** ZRANGEBYLEX bounds covering one namespace ('' or undefined: everything). */
export function namespaceRange(namespace: string | undefined): { min: string; max: string } {
  if (!namespace) return { min: '-', max: '+' };
  // Every `<ns>/...` sorts below `<ns>0` because '/' (0x2f) directly precedes '0' (0x30).
  return { min: `[${namespace}/`, max: `(${namespace}0` };
}

/** `core/pods` -> { group: '', resource: 'pods' }; `apps/deployments` -> { group: 'apps', resource: 'deployments' }. */
export function resourceRef(resource: string, name?: string): ResourceRef {
  const slash = resource.lastIndexOf('/');
  const group = slash < 0 ? '' : resource.slice(0, slash);
  const ref: ResourceRef = { group: group === 'core' ? '' : group, resource: resource.slice(slash + 1) };
  if (name !== undefined) ref.name = name;
  return ref;
}
