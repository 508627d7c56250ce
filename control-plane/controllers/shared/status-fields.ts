/**
 * The status write of the controllers that compute some status fields from their caches
 * (DaemonSet, StatefulSet), as upstream's: PUT /status of the cached object, with its
 * resourceVersion, only when a computed field differs.
 */
import { isConflict, isNotFound, type ApiClient, type ResourceType } from '../../client/api-client.js';

/**
 * Writes `fields` into `obj`'s status (other status fields kept) when any differs (===) from what
 * the cached `obj` holds; resolves at once when none does. A 409 Conflict (the cache is behind: the
 * newer object is on its way and enqueues the key again) or 404 (the object is gone) is dropped;
 * any other API error is thrown. Safe to repeat.
 */
export async function writeStatusFields(client: ApiClient, type: ResourceType, obj: any, fields: Record<string, unknown>): Promise<void> {
  const old = obj.status ?? {};
  if (Object.entries(fields).every(([k, v]) => old[k] === v)) return;
  try {
    await client.update(type, obj.metadata.namespace, obj.metadata.name, { ...obj, status: { ...old, ...fields } }, 'status');
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  }
}
