/**
 * Per-kind rules of the generic registry, as upstream's rest strategies: what a new object's status
 * starts as, what an update through the main resource may change, and what counts as a change of
 * desired state (which bumps metadata.generation). Kinds without an entry use the defaults below.
 */
import { qosClassOf } from '../api/qos.js';
import type { ResourceDef } from '../api/registry.js';
import type { KObject } from '../store/store.js';

export interface Strategy {
  /** The status a new object starts with (the client's status is ignored for kinds with a status subresource). */
  initialStatus?(obj: KObject): unknown;
  /** Extra changes on create, in place (after defaulting, before validation). */
  prepareForCreate?(obj: KObject): void;
  /** Whether an update changed desired state; default: anything outside metadata and status. */
  specChanged?(obj: KObject, old: KObject): boolean;
  /** Nodes keep the status their creator sends. */
  keepStatusOnCreate?: boolean;
  /** PUT of a missing object creates it (events, leases, endpoints). */
  allowCreateOnUpdate?: boolean;
  /** A /status write may change annotations too (workload controllers record revisions so), as upstream. */
  statusKeepsAnnotations?: boolean;
  /** Runs after metadata.generation is set on create and update (DaemonSets record it). */
  afterGenerationSet?(obj: KObject): void;
}

function withoutMetaAndStatus(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** The default rule: desired state is everything but metadata and status. */
export function specChangedByDefault(obj: KObject, old: KObject): boolean {
  return withoutMetaAndStatus(obj) !== withoutMetaAndStatus(old);
}

/** DaemonSets keep their template generation in an annotation, as upstream's strategy does. */
function stampTemplateGeneration(ds: KObject): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), 'deprecated.daemonset.template.generation': String(ds.metadata.generation ?? 1) };
}

/**
 * Unless the user manages the selector, a Job selects its pods by its own uid, and its template
 * carries the matching labels (new and legacy names), as upstream generates them.
 */
function generateJobSelector(job: KObject): void {
  const spec = (job as any).spec;
  if (!spec || typeof spec !== 'object' || spec.manualSelector === true) return;
  const { uid, name } = job.metadata;
  const labels = { 'batch.kubernetes.io/controller-uid': uid!, 'batch.kubernetes.io/job-name': name!, 'controller-uid': uid!, 'job-name': name! };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), ...labels };
}

const STRATEGIES: Record<string, Strategy> = {
  'core/pods': {
    initialStatus: (pod) => ({ phase: 'Pending', qosClass: qosClassOf((pod as any).spec) }),
  },
  'core/namespaces': {
    initialStatus: () => ({ phase: 'Active' }),
    prepareForCreate: (ns) => {
      const spec = ((ns as any).spec ??= {});
      const finalizers: string[] = (spec.finalizers ??= []);
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    },
  },
  'core/nodes': { keepStatusOnCreate: true },
  'core/persistentvolumes': { initialStatus: () => ({ phase: 'Pending' }) },
  'core/persistentvolumeclaims': { initialStatus: () => ({ phase: 'Pending' }) },
  'apps/replicasets': { statusKeepsAnnotations: true },
  'apps/statefulsets': { statusKeepsAnnotations: true },
  'apps/deployments': {
    statusKeepsAnnotations: true,
    // Annotations are copied to ReplicaSets, so a change to them is a change of desired state.
    specChanged: (obj, old) =>
      specChangedByDefault(obj, old) || JSON.stringify(obj.metadata.annotations ?? {}) !== JSON.stringify(old.metadata.annotations ?? {}),
  },
  'batch/jobs': { prepareForCreate: generateJobSelector },
  'apps/daemonsets': { afterGenerationSet: stampTemplateGeneration, statusKeepsAnnotations: true },
  'core/events': { allowCreateOnUpdate: true },
  'core/endpoints': { allowCreateOnUpdate: true },
  'coordination.k8s.io/leases': { allowCreateOnUpdate: true },
};

export function strategyFor(def: ResourceDef): Strategy {
  return STRATEGIES[def.storage] ?? {};
}

/** Whether the kind splits spec and status (status changes only through /status). */
export function hasStatusSubresource(def: ResourceDef): boolean {
  return def.subresources.includes('status');
}
