/**
 * A StatefulSet pod's identity, as upstream's stateful_set_utils: the name `<set>-<ordinal>`, the
 * labels `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`, hostname and
 * subdomain (the set's service), the revision label `controller-revision-hash` (the revision's
 * name), and one PersistentVolumeClaim per volumeClaimTemplate named `<template>-<set>-<ordinal>`
 * that the pod's volume of the template's name refers to. Pure.
 */
import { newControllerRef } from '../../api/owner-references.js';
import type { Owner } from '../history/controller-ref.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** On pods: the name of the ControllerRevision the pod was made from. */
export const REVISION_LABEL = 'controller-revision-hash';
/** On the set's ControllerRevisions: the hash in their name. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

const ORDINAL_NAME = /^(.*)-(\d+)$/;

/** The set a pod name belongs to and its ordinal; ordinal -1 when the name has none. */
export function parentAndOrdinal(podName: string): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(podName);
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return { parent: m[1]!, ordinal: ordinal <= 2 ** 31 - 1 ? ordinal : -1 };
}

export function ordinalOf(pod: any): number {
  return parentAndOrdinal(pod.metadata.name).ordinal;
}

/** Whether the pod's name makes it one of the set's (`<set>-<n>`). */
export function isMemberOf(set: any, pod: any): boolean {
  return parentAndOrdinal(pod.metadata.name).parent === set.metadata.name;
}

export function podName(set: any, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${setName}-${ordinal}`;
}

/** The first ordinal (spec.ordinals.start, 0 by default). */
export function startOrdinal(set: any): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicaCount(set: any): number {
  return set.spec?.replicas ?? 1;
}

/** Whether an ordinal lies in [start, start + replicas). */
export function inOrdinalRange(set: any, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicaCount(set);
}

/** The set as the owner of its pods and revisions. */
export function ownerOf(set: any): Owner {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata };
}

/** The claims a pod of `ordinal` needs, by template name: each template as a claim with the pod's claim name. */
export function claimsFor(set: any, ordinal: number): Map<string, any> {
  const claims = new Map<string, any>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const { status: _status, ...claim } = structuredClone(template);
    const meta = (claim.metadata ??= {});
    meta.name = claimName(template.metadata.name, set.metadata.name, ordinal);
    meta.namespace = set.metadata.namespace;
    meta.labels = { ...(meta.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    claims.set(template.metadata.name, claim);
  }
  return claims;
}

/** The identity labels of a pod with this name. */
export function identityLabels(name: string): Record<string, string> {
  return { [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(parentAndOrdinal(name).ordinal) };
}

/** Whether the pod has its ordinal's name, namespace and identity labels. */
export function identityMatches(set: any, pod: any): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata.name);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    Object.entries(identityLabels(pod.metadata.name)).every(([k, v]) => labels[k] === v)
  );
}

/** Whether every claim template has a pod volume referring to the ordinal's claim. */
export function storageMatches(set: any, pod: any): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every(
    (t: any) => volumes.get(t.metadata.name)?.persistentVolumeClaim?.claimName === claimName(t.metadata.name, set.metadata.name, ordinal),
  );
}

/**
 * The pod of `ordinal` made from `set`'s template (apply the wanted revision's template to the set
 * first) and labelled with `revision`: owned by the set, its identity set, and its claim volumes
 * put in front of the template's volumes (which they replace when the names are equal).
 */
export function newStatefulSetPod(set: any, ordinal: number, revision: string): any {
  const template = set.spec?.template ?? {};
  const name = podName(set, ordinal);
  const claims = claimsFor(set, ordinal);
  const spec = structuredClone(template.spec ?? {});
  const claimVolumes = [...claims].map(([volume, claim]) => ({ name: volume, persistentVolumeClaim: { claimName: claim.metadata.name } }));
  const volumes = [...claimVolumes, ...(spec.volumes ?? []).filter((v: any) => !claims.has(v.name))];
  if (volumes.length) spec.volumes = volumes;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const meta = template.metadata ?? {};
  return {
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...identityLabels(name), [REVISION_LABEL]: revision },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(ownerOf(set))],
    },
    spec,
  };
}
