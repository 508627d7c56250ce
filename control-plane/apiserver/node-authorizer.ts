/**
 * The node authorizer: what a node agent's credential (user system:node:<name> in group
 * system:nodes) may do, as upstream's Node authorizer and NodeRestriction admission allow it
 * together. A node may
 *   - read (get, list, watch) everything, except Secrets: those only one by one (get), and never
 *     the control plane's own credentials (the CA and token Secrets in kube-system);
 *   - create, update and patch its own Node and nodes/<name>/status;
 *   - create, update and patch its own Lease kube-node-lease/<name>;
 *   - update and patch pods/status of pods bound to it (spec.nodeName), and delete those pods;
 *   - create and delete PersistentVolumes whose nodeAffinity pins them to that node alone (the
 *     local provisioner of its agent: create judged on the body, delete on the stored volume);
 *   - create, update and patch Events (core and events.k8s.io);
 *   - create TokenReviews (its streaming server checks callers with them) and SelfSubjectAccessReviews;
 *   - GET non-resource paths (discovery, /version, /openapi).
 * Everything else is denied with a reason. Pure: the caller looks up a pod's spec.nodeName where
 * `needsBoundNode` says the decision depends on it.
 */
import { NODE_USER_PREFIX } from './context.js';
import type { Attributes, Decision, ResourceAttributes } from './authorizer.js';
import { isCredentialSecret } from './tokens.js';

const READ = new Set(['get', 'list', 'watch']);
const WRITE = new Set(['create', 'update', 'patch']);
const ALLOWED: Decision = { allowed: true };
const denied = (reason: string): Decision => ({ allowed: false, reason });

/** Whether the decision on `attrs` depends on the addressed pod's spec.nodeName. */
export function needsBoundNode(attrs: ResourceAttributes): boolean {
  if (attrs.group !== '' || attrs.resource !== 'pods' || attrs.name === '') return false;
  return (attrs.verb === 'delete' && attrs.subresource === '') || (attrs.subresource === 'status' && (attrs.verb === 'update' || attrs.verb === 'patch'));
}

/** Whether the decision on `attrs` depends on the addressed PersistentVolume's pinned nodes. */
export function needsVolumeNodes(attrs: ResourceAttributes): boolean {
  if (attrs.group !== '' || attrs.resource !== 'persistentvolumes' || attrs.subresource !== '') return false;
  return attrs.verb === 'create' || (attrs.verb === 'delete' && attrs.name !== '');
}

/** The decision for a request of a user in group system:nodes. */
export function authorizeNode(attrs: Attributes): Decision {
  const node = attrs.user.name.startsWith(NODE_USER_PREFIX) ? attrs.user.name.slice(NODE_USER_PREFIX.length) : '';
  if (!node) return denied(`unknown node for user "${attrs.user.name}": node credentials are users ${NODE_USER_PREFIX}<node name>`);
  if ('path' in attrs) return attrs.verb === 'get' ? ALLOWED : denied(`node '${node}' may only read non-resource paths`);
  const { verb, group, resource, subresource, namespace, name } = attrs;
  if (READ.has(verb)) {
    if (group !== '' || resource !== 'secrets') return ALLOWED;
    if (verb !== 'get' || !name) return denied('can only get individual resources of this type');
    return isCredentialSecret(namespace, name) ? denied(`node '${node}' cannot read the control plane's credentials`) : ALLOWED;
  }
  if (group === '' && resource === 'nodes' && (subresource === '' || subresource === 'status') && WRITE.has(verb)) {
    return name === node ? ALLOWED : denied(`node "${node}" is not allowed to modify node "${name}"`);
  }
  if (group === 'coordination.k8s.io' && resource === 'leases' && subresource === '' && WRITE.has(verb)) {
    return namespace === 'kube-node-lease' && name === node ? ALLOWED : denied(`node "${node}" may only modify its own lease kube-node-lease/${node}`);
  }
  if (needsBoundNode(attrs)) {
    return attrs.podNodeName === node ? ALLOWED : denied(`no relationship found between node '${node}' and this object`);
  }
  if (needsVolumeNodes(attrs)) {
    const nodes = attrs.volumeNodes ?? [];
    if (nodes.length === 1 && nodes[0] === node) return ALLOWED;
    return denied(`node '${node}' may only ${verb} PersistentVolumes whose nodeAffinity names node '${node}' alone`);
  }
  if (resource === 'events' && (group === '' || group === 'events.k8s.io') && subresource === '' && WRITE.has(verb)) return ALLOWED;
  if (verb === 'create' && group === 'authentication.k8s.io' && resource === 'tokenreviews') return ALLOWED;
  if (verb === 'create' && group === 'authorization.k8s.io' && resource === 'selfsubjectaccessreviews') return ALLOWED;
  return denied(`node '${node}' may only change its own Node and Lease, the status of pods bound to it, delete those pods, its own local PersistentVolumes, and write events`);
}
