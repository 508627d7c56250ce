/**
 * managedFields for ordinary writes (create, update, non-apply patches): records which fields the
 * request's field manager set, as upstream's field manager does, in place on the object.
 */
import type { KObject } from '../store/store.js';
import type { RequestContext } from './context.js';
import { updateManagedFields } from './patch/index.js';

export function recordManagedFields(old: KObject | undefined, obj: KObject, ctx: RequestContext, apiVersion: string, subresource: string, resetFields: string[]): void {
  const tracked = updateManagedFields({
    oldObj: old as any,
    newObj: obj as any,
    manager: ctx.fieldManager,
    apiVersion,
    now: ctx.now,
    subresource: subresource || undefined,
    resetFields,
  });
  const managed = (tracked as any).metadata?.managedFields;
  if (managed) obj.metadata.managedFields = managed;
  else delete obj.metadata.managedFields;
}
