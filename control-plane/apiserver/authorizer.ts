/**
 * Authorization: whether a user may do what a request asks. A request is described by its
 * Attributes (upstream's authorizer.Attributes) and `authorize` decides, purely:
 *   - anonymous requests (no credentials): only `get configmaps cluster-info` in kube-public, the
 *     public kubeconfig joining nodes read the CA from;
 *   - bootstrap tokens (group system:bootstrappers): only creating a NodeCredentialRequest;
 *   - node credentials (group system:nodes): what the node authorizer allows (node-authorizer.ts);
 *   - everyone else: everything (RBAC is not enforced yet).
 * `forbidden` words a denial as upstream's 403 Status.
 */
import { NODE_CREDENTIAL_REQUESTS, NODE_CREDENTIAL_REQUESTS_PATH } from '../api/node-credential-request.js';
import { StatusError } from '../api/status.js';
import { ANONYMOUS, BOOTSTRAPPERS_GROUP, NODES_GROUP, type UserInfo } from './context.js';
import { authorizeNode } from './node-authorizer.js';

/** A request on a resource: /api/v1/..., /apis/<group>/<version>/... */
export interface ResourceAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete or deletecollection. */
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  /** '' for cluster-scoped resources and requests across namespaces. */
  namespace: string;
  /** The object's name; for create, the name in the body ('' when the server generates it). */
  name: string;
  /**
   * spec.nodeName of the addressed pod ('' when unbound), where the node authorizer needs it
   * (`needsBoundNode`); undefined when not looked up.
   */
  podNodeName?: string;
  /**
   * The nodes a PersistentVolume's nodeAffinity pins it to (storage.ts pinnedNodes: [] when it is
   * not pinned to named nodes only): of the request body for a create, of the stored volume for a
   * delete, where the node authorizer needs it (`needsVolumeNodes`); undefined when not looked up.
   */
  volumeNodes?: string[];
}

/** A request on any other path (discovery, /version, /openapi, /metrics). */
export interface NonResourceAttributes {
  user: UserInfo;
  /** The HTTP method, lower-cased (get, post, ...). */
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

export const isResourceRequest = (a: Attributes): a is ResourceAttributes => !('path' in a);

/** The decision for one request. Pure. */
export function authorize(attrs: Attributes): Decision {
  const { user } = attrs;
  if (user.name === ANONYMOUS.name) {
    const clusterInfo = isResourceRequest(attrs) && attrs.verb === 'get' && attrs.group === '' && attrs.resource === 'configmaps' && attrs.subresource === '' && attrs.namespace === 'kube-public' && attrs.name === 'cluster-info';
    return clusterInfo ? ALLOW : deny('anonymous requests may only read the cluster-info ConfigMap in kube-public');
  }
  if (user.groups.includes(BOOTSTRAPPERS_GROUP)) {
    const exchange = isResourceRequest(attrs) && attrs.verb === 'create' && attrs.group === NODE_CREDENTIAL_REQUESTS.group && attrs.resource === NODE_CREDENTIAL_REQUESTS.resource && attrs.subresource === '';
    return exchange ? ALLOW : deny(`bootstrap tokens may only request a node credential (POST ${NODE_CREDENTIAL_REQUESTS_PATH})`);
  }
  if (user.groups.includes(NODES_GROUP)) return authorizeNode(attrs);
  return ALLOW;
}

/**
 * The 403 Status for a denied request, worded as upstream's: `pods "x" is forbidden: User "u" cannot
 * patch resource "pods/status" in API group "" in the namespace "default": <reason>`.
 */
export function forbidden(attrs: Attributes, reason: string): StatusError {
  const who = `User "${attrs.user.name}"`;
  if (!isResourceRequest(attrs)) return new StatusError(403, 'Forbidden', `forbidden: ${who} cannot ${attrs.verb} path "${attrs.path}": ${reason}`);
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const qualified = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
  const subject = attrs.name ? `${qualified} "${attrs.name}"` : qualified;
  const details = { kind: attrs.resource, ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.group ? { group: attrs.group } : {}) };
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${who} cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}" ${scope}: ${reason}`, details);
}
