/**
 * persistentVolumeClaimRetentionPolicy as owner references on a pod's claims (KEP-1847, as
 * upstream's updateClaimOwnerRefForSetAndPod): whenDeleted Delete gives the claim a controller
 * reference to the StatefulSet, so the garbage collector deletes it with the set; whenScaled Delete
 * gives the claim of a scaled-down pod (ordinal out of range) an owner reference to that pod, so it
 * goes when the pod is gone. Retain removes the set's and the pod's references again. A claim that
 * another object controls is left alone. Pure.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { controllerRefOf, newControllerRef } from '../../api/owner-references.js';
import { inOrdinalRange, ordinalOf, ownerOf } from './identity.js';

type RetentionPolicy = 'Retain' | 'Delete';

function retentionPolicy(set: any): { whenDeleted: RetentionPolicy; whenScaled: RetentionPolicy } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

/** The owner reference a scaled-down pod puts on its claims (not a controller reference). */
function podRef(pod: any): OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid };
}

/**
 * The ownerReferences `claim` should have for `pod` of `set` under the set's policy, or undefined
 * when the present ones are right (or the claim is someone else's to control).
 */
export function wantedClaimOwnerRefs(claim: any, set: any, pod: any): OwnerReference[] | undefined {
  const refs: OwnerReference[] = claim.metadata.ownerReferences ?? [];
  const controller = controllerRefOf(claim);
  if (controller && controller.uid !== set.metadata.uid) return undefined;
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(set, ordinalOf(pod));
  const wantSet = policy.whenDeleted === 'Delete' && !(scaledDown && policy.whenScaled === 'Delete');
  const wantPod = policy.whenScaled === 'Delete' && scaledDown;
  const hasSet = refs.some((r) => r.uid === set.metadata.uid);
  const hasPod = refs.some((r) => r.uid === pod.metadata.uid);
  if (hasSet === wantSet && hasPod === wantPod) return undefined;
  const kept = refs.filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
  if (wantSet) kept.push(newControllerRef(ownerOf(set)));
  if (wantPod) kept.push(podRef(pod));
  return kept;
}

/**
 * Whether a claim left from an earlier pod of the ordinal must go before a new pod may use it: it
 * is being deleted, or it still names a pod as owner (a scaled-down pod whose claim the garbage
 * collector is about to delete), as upstream's PodClaimIsStale.
 */
export function claimIsStale(claim: any): boolean {
  return !!claim.metadata.deletionTimestamp || (claim.metadata.ownerReferences ?? []).some((r: OwnerReference) => r.kind === 'Pod' && r.apiVersion === 'v1');
}
