/**
 * ControllerRevisions as upstream's StatefulSet and DaemonSet controllers keep them
 * (pkg/controller/history): one revision per distinct pod template, whose data is a strategic merge
 * patch that puts the template back (`{"spec":{"template":{…,"$patch":"replace"}}}`, what
 * `kubectl rollout undo` sends), numbered in the order the templates were last used, and named
 * `<owner>-<hash of the data>`. Everything here is pure.
 */
import { revisionHash } from './hash.js';

/** An apps/v1 ControllerRevision (raw Kubernetes JSON with the fields this code reads typed). */
export interface ControllerRevision {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: any[];
    deletionTimestamp?: string;
  };
  data: any;
  revision: number;
}

/** JSON with object keys sorted at every level, as Go's encoding/json writes maps: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The revision data of an owner (StatefulSet or DaemonSet): a patch replacing spec.template with its own. */
export function templatePatch(owner: any): any {
  return { spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The pod template a revision's data restores. */
export function templateOf(revision: Pick<ControllerRevision, 'data'>): any {
  const { $patch: _directive, ...template } = revision.data?.spec?.template ?? {};
  return template;
}

/** A copy of `owner` with the template of `revision` (upstream's ApplyRevision for this patch shape). */
export function applyRevision<T extends { spec?: any }>(owner: T, revision: Pick<ControllerRevision, 'data'>): T {
  const copy = structuredClone(owner);
  copy.spec = { ...copy.spec, template: structuredClone(templateOf(revision)) };
  return copy;
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so that the name fits 253. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, 223)}-${hash}`;
}

const timeOf = (r: ControllerRevision) => (r.metadata.creationTimestamp ? Date.parse(r.metadata.creationTimestamp) : 0);

/** Revisions in ascending revision number; ties by creation time, then name. Returns a new array. */
export function sortRevisions<T extends ControllerRevision>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) => a.revision - b.revision || timeOf(a) - timeOf(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Whether two revisions restore the same template. */
export function equalRevision(a: Pick<ControllerRevision, 'data'>, b: Pick<ControllerRevision, 'data'>): boolean {
  return canonicalJson(a.data) === canonicalJson(b.data);
}

/** One more than the highest revision number, 1 when there is none. */
export function nextRevisionNumber(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

/** The hash of a revision's data under a collision count (the `<hash>` of its name). */
export function hashOfData(data: unknown, collisionCount: number): string {
  return revisionHash(canonicalJson(data), collisionCount);
}

/** What to do so that a revision for the owner's current template exists and is the newest. */
export type RevisionPlan =
  /** The newest revision already holds the template. */
  | { action: 'reuse'; revision: ControllerRevision }
  /** An older revision holds it (a rollback): renumber it to `to`. */
  | { action: 'renumber'; revision: ControllerRevision; to: number }
  /** No revision holds it: create one numbered `number`. */
  | { action: 'create'; number: number };

/**
 * Decides how the owner's current template (as revision `data`) becomes its update revision, as
 * upstream's getStatefulSetRevisions / constructHistory do: reuse the newest revision when it
 * already holds the template, renumber an equal older one (so a rollback keeps its history entry
 * and becomes the newest), or create a new one.
 */
export function planUpdateRevision(revisions: readonly ControllerRevision[], data: unknown): RevisionPlan {
  const sorted = sortRevisions(revisions);
  const text = canonicalJson(data);
  const equal = sorted.filter((r) => canonicalJson(r.data) === text);
  const newest = sorted[sorted.length - 1];
  const match = equal[equal.length - 1];
  if (!match) return { action: 'create', number: nextRevisionNumber(sorted) };
  if (match === newest || match.revision === newest?.revision) return { action: 'reuse', revision: match };
  return { action: 'renumber', revision: match, to: nextRevisionNumber(sorted) };
}

/**
 * The revisions to delete to keep at most `limit` that are not live (live: named in `live`, i.e.
 * the current and update revisions and those pods still run), oldest first, as upstream's
 * truncateHistory and cleanupHistory.
 */
export function revisionsToTruncate<T extends ControllerRevision>(revisions: readonly T[], live: ReadonlySet<string>, limit: number): T[] {
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name));
  return history.slice(0, Math.max(0, history.length - Math.max(0, limit)));
}
