/**
 * The annotations the Deployment controller keeps on Deployments and their ReplicaSets, as
 * upstream's deploymentutil: the revision (`deployment.kubernetes.io/revision`, the new
 * ReplicaSet's number copied to the Deployment), the revisions a ReplicaSet had before a rollback
 * brought it back (`revision-history`), the Deployment's size when a ReplicaSet was last scaled
 * (`desired-replicas`, `max-replicas`: the base of proportional scaling), and the Deployment's
 * own annotations copied onto its new ReplicaSet (kubernetes.io/change-cause among them, which
 * `kubectl rollout history` shows) except the skipped ones. Functions edit the objects given
 * (copies, never cache objects) and say whether they changed anything.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { desiredReplicas, maxSurge } from './fenceposts.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Set by kubectl before 1.18 to ask for a rollback; never copied. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** Upstream keeps revision-history under this many characters. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const SKIPPED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO]);

/** Annotations the Deployment does not hand down to its ReplicaSets. */
export function skipCopyAnnotation(key: string): boolean {
  return SKIPPED.has(key);
}

function parseInt10(s: string | undefined): number | undefined {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** The revision of a ReplicaSet or Deployment; 0 when missing or malformed. */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  return parseInt10(obj.metadata?.annotations?.[REVISION]) ?? 0;
}

/** The highest revision among `rss` (0 for none). */
export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

function annotationsOf(obj: { metadata?: { annotations?: Record<string, string> } }): Record<string, string> {
  const meta = (obj.metadata ??= {});
  return (meta.annotations ??= {});
}

/** Copies the Deployment's annotations (but the skipped ones) onto the ReplicaSet. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of [
    [DESIRED_REPLICAS, String(desired)],
    [MAX_REPLICAS, String(max)],
  ] as const) {
    if (a[k] !== v) {
      a[k] = v;
      changed = true;
    }
  }
  return changed;
}

/** Whether desired-replicas or max-replicas differ from these values. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/** The Deployment size a ReplicaSet was last scaled for, if recorded. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseInt10(rs.metadata?.annotations?.[DESIRED_REPLICAS]);
}

/** replicas + maxSurge of the Deployment when the ReplicaSet was last scaled, if recorded. */
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseInt10(rs.metadata?.annotations?.[MAX_REPLICAS]);
}

/**
 * The annotations of the Deployment's new ReplicaSet (upstream's SetNewReplicaSetAnnotations):
 * the Deployment's annotations copied; the revision raised to `newRevision` when lower (a
 * ReplicaSet brought back by a rollback keeps its old numbers in revision-history, which is kept
 * under `maxHistoryChars`); and, for a ReplicaSet about to be created (`exists` false), the
 * replicas annotations. A malformed revision annotation is left alone.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, maxHistoryChars = MAX_REVISION_HISTORY_CHARS): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const oldRevision = a[REVISION];
  const had = oldRevision !== undefined;
  const oldNumber = oldRevision === undefined || oldRevision === '' ? 0 : parseInt10(oldRevision);
  if (oldNumber === undefined) return changed;
  if (oldNumber < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') {
        a[REVISION_HISTORY] = oldRevision;
      } else {
        let entries = history.split(',');
        let total = history.length + oldRevision.length + 1;
        while (total > maxHistoryChars && entries.length) {
          total -= entries[0]!.length + 1;
          entries = entries.slice(1);
        }
        if (total <= maxHistoryChars) a[REVISION_HISTORY] = [...entries, oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the Deployment's revision annotation. */
export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (revision === undefined) return false;
  const a = annotationsOf(d);
  if (a[REVISION] === revision) return false;
  a[REVISION] = revision;
  return true;
}
