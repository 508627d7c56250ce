/**
 * Claiming objects by controller reference, as upstream's ControllerRefManager (used by the
 * ReplicaSet controller for pods and the Deployment controller for ReplicaSets): an owner keeps the
 * objects it controls whose labels still match its selector, adopts matching orphans (sets itself
 * as controller) and releases the objects it controls that no longer match (removes its
 * reference). Objects controlled by someone else are never touched; an owner being deleted neither
 * adopts nor releases (api/owner-references.ts's claimDecision). Adoption first re-reads the owner
 * from the API (canAdopt), so an owner deleted and recreated under the same name cannot take what
 * its predecessor had.
 */
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { LabelSelector } from '../api/labels.js';
import { claimDecision } from '../api/owner-references.js';
import { isNotFound } from '../client/api-client.js';

interface Obj {
  metadata?: ObjectMeta;
}

export interface ClaimSpec {
  owner: Obj;
  selector: LabelSelector;
  /** The reference adopted objects get (controller: true). */
  ref: OwnerReference;
  /** Re-reads the owner and throws unless it still exists with the same uid and is not being deleted. */
  canAdopt(): Promise<void>;
  /** Sends a strategic merge patch to an object. */
  patch(obj: Obj, patch: unknown): Promise<void>;
}

/**
 * The objects `spec.owner` controls after adopting and releasing as needed. Objects that vanish
 * meanwhile (404) are skipped; other failures are thrown after every object was handled, so the
 * caller retries. Not idempotent by itself, but safe to repeat (the decisions converge).
 */
export async function claimObjects<T extends Obj>(objs: T[], spec: ClaimSpec): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of objs) {
    const uid = obj.metadata?.uid;
    try {
      switch (claimDecision(spec.owner, obj, spec.selector.matches(obj.metadata?.labels))) {
        case 'own':
          claimed.push(obj);
          break;
        case 'adopt':
          adoptable ??= spec.canAdopt();
          await adoptable;
          await spec.patch(obj, { metadata: { ownerReferences: [spec.ref], uid } });
          claimed.push(obj);
          break;
        case 'release':
          await spec.patch(obj, { metadata: { ownerReferences: [{ $patch: 'delete', uid: spec.owner.metadata?.uid }], uid } });
          break;
        case 'ignore':
          break;
      }
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

/** Informer index of objects by the uids of their owners (see client/informer.ts byOwnerUid). */
export const OWNER_UID_INDEX = 'ownerUid';
/** Informer index of objects by namespace (see client/informer.ts byNamespace). */
export const NAMESPACE_INDEX = 'namespace';

/** An object as the API stores it: metadata always present (what informers hold). */
export type Stored<T> = T & { metadata: ObjectMeta };
