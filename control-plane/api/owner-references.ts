/**
 * Controller references, as upstream's metav1 helpers read and write them: the one owner reference
 * with `controller: true` names the object's managing controller (GetControllerOf), and a
 * controller marks what it creates or adopts with a reference to itself that also blocks the
 * owner's foreground deletion (NewControllerRef); an owner claims objects by those references, as
 * upstream's ControllerRefManager decides (claimDecision). Pure.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

/** The object's controller reference (the owner reference with controller: true), if any. */
export function controllerRefOf<R extends { controller?: boolean } = OwnerReference>(obj: { metadata?: { ownerReferences?: readonly R[] } }): R | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * A controller reference to `owner` (controller and blockOwnerDeletion set). The owner is a
 * stored object: its name and uid are set.
 */
export function newControllerRef(owner: { apiVersion: string; kind: string; metadata?: { name?: string; uid?: string } }): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export type ClaimDecision = 'own' | 'adopt' | 'release' | 'ignore';

interface Claimable {
  metadata?: { namespace?: string; uid?: string; deletionTimestamp?: string; ownerReferences?: readonly { uid?: string; controller?: boolean }[] };
}

/**
 * What `owner` does with `obj`, given whether its selector (and any extra membership test)
 * matches it, as upstream's ClaimObject: keep what it controls and still matches ('own'); release
 * what it controls but no longer matches ('release'), unless the owner is being deleted; adopt an
 * orphan that matches ('adopt'), unless either is being deleted or they are in different
 * namespaces; leave everything else alone ('ignore'), above all what another controller controls.
 */
export function claimDecision(owner: Claimable, obj: Claimable, matches: boolean): ClaimDecision {
  const ref = controllerRefOf(obj);
  if (ref) {
    if (ref.uid !== owner.metadata?.uid) return 'ignore';
    if (matches) return 'own';
    return owner.metadata?.deletionTimestamp ? 'ignore' : 'release';
  }
  if (!matches || owner.metadata?.deletionTimestamp || obj.metadata?.deletionTimestamp) return 'ignore';
  if (owner.metadata?.namespace && owner.metadata.namespace !== obj.metadata?.namespace) return 'ignore';
  return 'adopt';
}
