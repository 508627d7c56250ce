/**
 * The garbage collector's decisions, as upstream's attemptToDeleteItem and
 * processDeletingDependentsItem make them. Pure functions over an object, the state of each of
 * its owners, and its dependents.
 *
 * - A dependent with at least one solid owner (present, not waiting on its dependents) stays; its
 *   references to absent owners and to owners deleting in the foreground are removed.
 * - A dependent of an owner deleting in the foreground that has dependents itself is deleted in
 *   the foreground too, so the chain goes bottom-up.
 * - Otherwise a dependent whose owners are all gone is deleted, honouring its own orphan or
 *   foregroundDeletion finalizer, else in the background.
 * - An owner with the orphan finalizer first strips its references from its dependents, then
 *   loses the finalizer; one with foregroundDeletion loses it once no dependent that blocks owner
 *   deletion (ownerReference.blockOwnerDeletion) is left.
 */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** What an owner reference points at. */
export type OwnerState =
  /** The owner exists and is not waiting for its dependents. */
  | 'solid'
  /** The owner does not exist (or another object has its name now). */
  | 'dangling'
  /** The owner is being deleted in the foreground: it waits for its dependents to go. */
  | 'waiting'
  /** The reference names a kind this server does not serve: never acted on. */
  | 'unresolvable';

export interface ClassifiedRef {
  uid: string;
  state: OwnerState;
}

export type DeletionPolicy = 'Background' | 'Foreground' | 'Orphan';

export type DependentAction = { kind: 'none' } | { kind: 'removeRefs'; uids: string[] } | { kind: 'delete'; policy: DeletionPolicy };

interface Meta {
  uid?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: { uid: string; blockOwnerDeletion?: boolean }[];
}

/** Being deleted and waiting for its dependents to go first. */
export function isDeletingDependents(meta: Meta): boolean {
  return !!meta.deletionTimestamp && (meta.finalizers ?? []).includes(FOREGROUND_FINALIZER);
}

/** Being deleted and waiting for its dependents to be orphaned. */
export function isOrphaning(meta: Meta): boolean {
  return !!meta.deletionTimestamp && (meta.finalizers ?? []).includes(ORPHAN_FINALIZER);
}

/** The state an existing owner's reference is in. */
export function stateOfOwner(owner: { metadata: Meta }): OwnerState {
  return isDeletingDependents(owner.metadata) ? 'waiting' : 'solid';
}

/** What to do with an object given the states of its owners and whether it has dependents itself. */
export function decideDependent(refs: ClassifiedRef[], hasDependents: boolean, finalizers: string[] = []): DependentAction {
  if (refs.length === 0) return { kind: 'none' };
  const of = (s: OwnerState) => refs.filter((r) => r.state === s).map((r) => r.uid);
  if (of('solid').length > 0 || of('unresolvable').length > 0) {
    const stale = [...of('dangling'), ...of('waiting')];
    return stale.length > 0 && of('solid').length > 0 ? { kind: 'removeRefs', uids: stale } : { kind: 'none' };
  }
  if (of('waiting').length > 0 && hasDependents) return { kind: 'delete', policy: 'Foreground' };
  if (finalizers.includes(ORPHAN_FINALIZER)) return { kind: 'delete', policy: 'Orphan' };
  if (finalizers.includes(FOREGROUND_FINALIZER)) return { kind: 'delete', policy: 'Foreground' };
  return { kind: 'delete', policy: 'Background' };
}

export type OwnerAction<T> =
  | { kind: 'none' }
  /** Remove the owner's references from these dependents, then the orphan finalizer. */
  | { kind: 'orphan'; dependents: T[] }
  | { kind: 'removeFinalizer'; finalizer: string }
  /** Dependents still block the owner's deletion: see that they get deleted. */
  | { kind: 'awaitDependents'; dependents: T[] };

/** What to do with an object being deleted, given its dependents. */
export function decideDeletingOwner<T extends { metadata: Meta }>(owner: { metadata: Meta }, dependents: T[]): OwnerAction<T> {
  const uid = owner.metadata.uid;
  if (isOrphaning(owner.metadata)) return dependents.length > 0 ? { kind: 'orphan', dependents } : { kind: 'removeFinalizer', finalizer: ORPHAN_FINALIZER };
  if (!isDeletingDependents(owner.metadata)) return { kind: 'none' };
  const blocking = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
  if (blocking.length === 0) return { kind: 'removeFinalizer', finalizer: FOREGROUND_FINALIZER };
  return { kind: 'awaitDependents', dependents: blocking.filter((d) => !isDeletingDependents(d.metadata)) };
}
