/**
 * Upstream's deletion rules, as pure functions over objects: delete preconditions, marking an object
 * with finalizers as deleting, and when an update completes a pending deletion.
 */
import { conflict, type ResourceRef } from '../../api/status.js';
import type { DeleteOptions, KObject } from '../store.js';

/** Throws 409 Conflict (upstream's wording) when `current` fails the delete preconditions. */
export function checkPreconditions(ref: ResourceRef, current: KObject, opts: DeleteOptions): void {
  const meta = current.metadata;
  if (opts.uid !== undefined && opts.uid !== (meta.uid ?? '')) {
    throw conflict(ref, `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${meta.uid ?? ''}`);
  }
  if (opts.resourceVersion !== undefined && opts.resourceVersion !== meta.resourceVersion) {
    throw conflict(
      ref,
      `Precondition failed: ResourceVersion in precondition: ${opts.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
}

/** True when `obj` is being deleted and nothing holds it back: no finalizers, no pending grace period. */
export function completesDeletion(obj: KObject): boolean {
  const meta = obj.metadata;
  return meta.deletionTimestamp !== undefined && !meta.finalizers?.length && !meta.deletionGracePeriodSeconds;
}

/**
 * `obj` marked as deleting at `now`, as upstream does for an object whose finalizers keep it:
 * deletionTimestamp set once (moved earlier only), deletionGracePeriodSeconds 0, generation bumped
 * the first time. Returns undefined when `obj` already is so marked. Does not modify `obj`.
 */
export function markDeleting<T extends KObject>(obj: T, now: Date): T | undefined {
  const meta = obj.metadata;
  const stamp = rfc3339(now);
  const existing = meta.deletionTimestamp;
  const timestamp = existing === undefined || Date.parse(existing) > now.getTime() ? stamp : existing;
  if (timestamp === existing && meta.deletionGracePeriodSeconds === 0) return undefined;
  const metadata = { ...meta, deletionTimestamp: timestamp, deletionGracePeriodSeconds: 0 };
  if (existing === undefined && typeof meta.generation === 'number' && meta.generation > 0) {
    metadata.generation = meta.generation + 1;
  }
  return { ...obj, metadata };
}

/** RFC 3339 with second precision, as metav1.Time serializes: `2024-05-01T12:00:00Z`. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
