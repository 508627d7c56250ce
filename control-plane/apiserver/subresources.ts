/**
 * Small subresources: pods/binding (the scheduler's way to place a pod), SelfSubjectAccessReview
 * (kubectl auth can-i) and TokenReview (node agents checking who calls them).
 */
import type { ResourceDef } from '../api/registry.js';
import { cannotDecode, decodeTypes } from '../api/schema/index.js';
import { badRequest, conflict, invalid } from '../api/status.js';
import type { Store } from '../store/store.js';
import type { Attributes, Decision } from './authorizer.js';
import type { RequestContext, UserInfo } from './context.js';
import { rfc3339 } from './object-meta.js';

/** Decodes a v1 body's values as upstream's typed decoder: the wrong JSON type is a 400. */
function refuseMistyped(group: string, kind: string, body: unknown): void {
  const mismatch = decodeTypes(group, 'v1', kind, body);
  if (mismatch) throw cannotDecode(kind, 'v1', mismatch);
}

/**
 * POST pods/<name>/binding: sets spec.nodeName once and marks the pod PodScheduled, bypassing
 * update validation as upstream does. 409 if the pod is bound elsewhere or being deleted.
 */
export async function createBinding(store: Store, def: ResourceDef, namespace: string, name: string, body: any, ctx: RequestContext): Promise<unknown> {
  refuseMistyped('', 'Binding', body);
  const target = body?.target;
  if (!target || typeof target.name !== 'string' || target.name === '') {
    throw invalid('Binding', '', name, [{ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  }
  if (target.kind !== undefined && target.kind !== 'Node' && target.kind !== '') {
    throw invalid('Binding', '', name, [{ type: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${String(target.kind)}": supported values: "Node"` }]);
  }
  const ref = { group: def.group, resource: def.plural, name };
  if (ctx.dryRun) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  await store.guaranteedUpdate<any>({ resource: def.storage, namespace, name }, (pod) => {
    if (pod.metadata.deletionTimestamp) throw conflict(ref, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName && pod.spec.nodeName !== target.name) throw conflict(ref, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec = { ...(pod.spec ?? {}), nodeName: target.name };
    const annotations = body.metadata?.annotations;
    if (annotations && typeof annotations === 'object') pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
    const status = (pod.status ??= {});
    const conditions: any[] = (status.conditions ??= []);
    const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(ctx.now) };
    const i = conditions.findIndex((c) => c.type === 'PodScheduled');
    if (i >= 0) conditions[i] = scheduled;
    else conditions.push(scheduled);
    return pod;
  });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/**
 * Answers a SelfSubjectAccessReview (kubectl auth can-i) for the requesting user with the server's
 * own authorizer (`review`): node and bootstrap credentials are restricted, everyone else may do
 * everything (RBAC is not enforced yet).
 */
export async function reviewSelfAccess(body: any, user: UserInfo, review: (attrs: Attributes) => Promise<Decision>): Promise<unknown> {
  refuseMistyped('authorization.k8s.io', 'SelfSubjectAccessReview', body);
  const spec = body?.spec;
  if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
    throw badRequest('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  const r = spec.resourceAttributes;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const attrs: Attributes = r
    ? { user, verb: str(r.verb), group: str(r.group), resource: str(r.resource), subresource: str(r.subresource), namespace: str(r.namespace), name: str(r.name) }
    : { user, verb: str(spec.nonResourceAttributes.verb), path: str(spec.nonResourceAttributes.path) };
  const decision = await review(attrs);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: decision.allowed ? { allowed: true } : { allowed: false, denied: true, reason: decision.reason },
  };
}

/**
 * Answers a TokenReview: whom spec.token belongs to, by the server's own authenticator
 * (status.authenticated and status.user, or an empty user for an unknown token), as upstream.
 */
export async function reviewToken(body: any, authenticate: (token: string) => Promise<UserInfo | undefined>): Promise<unknown> {
  refuseMistyped('authentication.k8s.io', 'TokenReview', body);
  const token = body?.spec?.token;
  if (typeof token !== 'string' || token === '') throw badRequest('token is required for TokenReview in authentication');
  const user = await authenticate(token);
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body.spec,
    status: user ? { authenticated: true, user: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups } } : { user: {} },
  };
}
