/**
 * Reads and writes an owner's ControllerRevisions through the API (upstream's history.Interface):
 * list (adopting orphans its selector matches, releasing revisions it no longer selects), make sure a
 * revision holds the current template and is the newest, and delete old ones.
 */
import type { LabelSelector } from '../../api/labels.js';
import { newControllerRef } from '../../api/owner-references.js';
import { RESOURCES } from '../../api/registry.js';
import { isAlreadyExists, isNotFound, type ApiClient, type ResourceType } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import { claimObjects, type Owner } from './controller-ref.js';
import { equalRevision, hashOfData, planUpdateRevision, revisionName, type ControllerRevision } from './revisions.js';

const controllerRevisions = RESOURCES.find((r) => r.plural === 'controllerrevisions')!;

/** Gives up creating after this many name collisions in a row (upstream retries without end). */
const MAX_COLLISIONS = 100;

/**
 * The owner's revisions: those it controls and orphans its selector matches (adopted on the way),
 * read from the informer's cache of ControllerRevisions. Revisions it controls but no longer
 * selects are released. Throws the API's error when an adoption or release fails.
 */
export async function listRevisions(
  client: ApiClient,
  informer: Informer<ControllerRevision>,
  ownerType: ResourceType,
  owner: Owner,
  selector: LabelSelector,
): Promise<ControllerRevision[]> {
  const candidates = informer.list().filter((r) => r.metadata.namespace === owner.metadata.namespace);
  return claimObjects(client, controllerRevisions, ownerType, owner, candidates, (r) => selector.matches(r.metadata.labels));
}

/** How to build a new revision of an owner. */
export interface RevisionSpec {
  /** The revision data: templatePatch(owner). */
  data: unknown;
  /** Labels of the new revision (the template's), before the hash label is added. */
  labels: Record<string, string>;
  /** The label that carries the hash (`controller.kubernetes.io/hash` or `controller-revision-hash`). */
  hashLabel: string;
  annotations?: Record<string, string>;
}

export interface UpdateRevision {
  revision: ControllerRevision;
  /** The owner's collision count after any name collisions met while creating. */
  collisionCount: number;
}

/**
 * Makes sure a revision holds `spec.data` and is the owner's newest: reuses, renumbers or creates
 * one (see planUpdateRevision). A new revision is named `<owner>-<hash>`; when that name is taken
 * by different data the collision count goes up and another name is tried. Throws the API's error
 * (a conflict on renumbering means the cache was stale: retry).
 */
export async function ensureUpdateRevision(client: ApiClient, owner: Owner, revisions: readonly ControllerRevision[], spec: RevisionSpec, collisionCount: number): Promise<UpdateRevision> {
  const plan = planUpdateRevision(revisions, spec.data);
  const ns = owner.metadata.namespace;
  if (plan.action === 'reuse') return { revision: plan.revision, collisionCount };
  if (plan.action === 'renumber') {
    const r = plan.revision;
    const updated = await client.patch<ControllerRevision>(controllerRevisions, ns, r.metadata.name, 'merge', { metadata: { resourceVersion: r.metadata.resourceVersion }, revision: plan.to });
    return { revision: updated, collisionCount };
  }
  let count = collisionCount;
  for (let attempt = 0; attempt < MAX_COLLISIONS; attempt++, count++) {
    const hash = hashOfData(spec.data, count);
    const name = revisionName(owner.metadata.name, hash);
    const body: ControllerRevision = {
      metadata: {
        name,
        namespace: ns,
        labels: { ...spec.labels, [spec.hashLabel]: hash },
        ...(spec.annotations && Object.keys(spec.annotations).length ? { annotations: { ...spec.annotations } } : {}),
        ownerReferences: [newControllerRef(owner)],
      },
      data: spec.data,
      revision: plan.number,
    };
    try {
      return { revision: await client.create<ControllerRevision>(controllerRevisions, ns, body), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get<ControllerRevision>(controllerRevisions, ns, name);
      if (equalRevision(existing, body)) return { revision: existing, collisionCount: count };
    }
  }
  throw new Error(`no free ControllerRevision name for ${ns}/${owner.metadata.name} after ${MAX_COLLISIONS} collisions`);
}

/** Deletes revisions; ones already gone are fine. */
export async function deleteRevisions(client: ApiClient, revisions: readonly ControllerRevision[]): Promise<void> {
  for (const r of revisions) {
    try {
      await client.delete(controllerRevisions, r.metadata.namespace, r.metadata.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
