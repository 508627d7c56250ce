/**
 * The /scale subresource of Deployments, ReplicaSets and StatefulSets: an autoscaling/v1 Scale view
 * of spec.replicas, status.replicas and the selector. Writes go through the resource service as a
 * merge patch of spec.replicas, so validation and resourceVersion preconditions apply as usual.
 */
import { selectorFromLabelSelector } from '../api/labels.js';
import type { ResourceDef } from '../api/registry.js';
import { invalid } from '../api/status.js';
import type { RequestContext } from './context.js';
import { applyPatch, type PatchType } from './patch-dispatch.js';
import type { ResourceService } from './resource-service.js';

function selectorString(obj: any): string {
  try {
    return obj.spec?.selector ? selectorFromLabelSelector(obj.spec.selector).toString() : '';
  } catch {
    return '';
  }
}

export function scaleOf(obj: any): any {
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj) },
  };
}

export async function getScale(service: ResourceService, def: ResourceDef, namespace: string, name: string): Promise<any> {
  return scaleOf(await service.get(def, namespace, name));
}

/** PUT of a Scale: sets spec.replicas, honouring the Scale's resourceVersion as a precondition. */
export async function updateScale(service: ResourceService, def: ResourceDef, namespace: string, name: string, scale: any, ctx: RequestContext): Promise<any> {
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', name, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` },
    ]);
  }
  const patch: any = { spec: { replicas } };
  const rv = scale?.metadata?.resourceVersion;
  if (typeof rv === 'string' && rv) patch.metadata = { resourceVersion: rv };
  const { object } = await service.patch(def, namespace, name, 'merge', patch, '', ctx, false);
  return scaleOf(object);
}

/** PATCH of a Scale (kubectl scale sends a merge patch): patches the Scale view, then updates. */
export async function patchScale(
  service: ResourceService,
  def: ResourceDef,
  namespace: string,
  name: string,
  type: PatchType,
  patch: unknown,
  ctx: RequestContext,
): Promise<any> {
  const current = await getScale(service, def, namespace, name);
  const patched = applyPatch(type, current, patch, { apiVersion: 'autoscaling/v1', kind: 'Scale', manager: ctx.fieldManager, force: false, now: ctx.now, subresource: 'scale' });
  if (!patched?.metadata?.resourceVersion) patched.metadata = { ...(patched.metadata ?? {}), resourceVersion: current.metadata.resourceVersion };
  return updateScale(service, def, namespace, name, patched, ctx);
}
