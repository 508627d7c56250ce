/**
 * Ownership through controller references, as upstream's ControllerRefManager: an owner adopts
 * orphans its selector matches, keeps what it controls and still matches, and releases what it
 * controls but no longer matches. Used by the StatefulSet and DaemonSet controllers for their pods
 * and ControllerRevisions. The decision is api/owner-references.ts's claimDecision; applying it
 * patches ownerReferences with the object's uid as a precondition (strategic merge on the uid
 * merge key, as upstream).
 */
import { claimDecision, newControllerRef } from '../../api/owner-references.js';
import { isNotFound, type ApiClient, type ResourceType } from '../../client/api-client.js';

/** The owner a controller acts for: its identity and kind. */
export interface Owner {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; deletionTimestamp?: string };
}

/**
 * Before the first adoption, the owner is read again from the API (upstream's canAdopt): an owner
 * deleted, or deleted and created again under its name, must not take what its cache entry would.
 */
async function checkCanAdopt(client: ApiClient, ownerType: ResourceType, owner: Owner): Promise<void> {
  const fresh = await client.get(ownerType, owner.metadata.namespace, owner.metadata.name);
  if (fresh.metadata.uid !== owner.metadata.uid) throw new Error(`original ${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
  if (fresh.metadata.deletionTimestamp) throw new Error(`${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}

/**
 * Claims `candidates` (of resource `type`) for `owner` (of resource `ownerType`): adopts and
 * releases through the API as decided, and returns the objects it owns afterwards (owned ones as
 * given, adopted ones as the API returned them). A candidate that vanished meanwhile is skipped.
 * Safe to repeat: a second call finds nothing more to change. Throws the API's error otherwise, or
 * an Error when the owner may not adopt (gone or being deleted).
 */
export async function claimObjects<T extends { metadata: any }>(
  client: ApiClient,
  type: ResourceType,
  ownerType: ResourceType,
  owner: Owner,
  candidates: readonly T[],
  matches: (obj: T) => boolean,
): Promise<T[]> {
  const owned: T[] = [];
  let adoptionChecked = false;
  for (const obj of candidates) {
    const decision = claimDecision(owner, obj, matches(obj));
    if (decision === 'own') owned.push(obj);
    if (decision !== 'adopt' && decision !== 'release') continue;
    if (decision === 'adopt' && !adoptionChecked) {
      await checkCanAdopt(client, ownerType, owner);
      adoptionChecked = true;
    }
    const ownerReferences = decision === 'adopt' ? [newControllerRef(owner)] : [{ $patch: 'delete', uid: owner.metadata.uid }];
    try {
      const patched = await client.patch<T>(type, obj.metadata.namespace, obj.metadata.name, 'strategic', { metadata: { ownerReferences, uid: obj.metadata.uid } });
      if (decision === 'adopt') owned.push(patched);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}
