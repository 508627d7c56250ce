import { describe, expect, it } from 'vitest';
import type { Attributes, ResourceAttributes } from './authorizer.js';
import { authorizeNode, needsBoundNode } from './node-authorizer.js';

const nodeA = { name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };

/** A request of node a; fields not given are empty. */
function req(verb: string, resource: string, more: Partial<ResourceAttributes> = {}): ResourceAttributes {
  return { user: nodeA, verb, group: '', resource, subresource: '', namespace: '', name: '', ...more };
}

const pod = (verb: string, podNodeName: string | undefined, subresource = '') => req(verb, 'pods', { namespace: 'default', name: 'web', subresource, podNodeName });

const cases: { name: string; attrs: Attributes; allowed: boolean; reason?: RegExp }[] = [
  // Reads
  { name: 'list pods everywhere', attrs: req('list', 'pods'), allowed: true },
  { name: 'watch services', attrs: req('watch', 'services', { namespace: 'default' }), allowed: true },
  { name: 'get another node', attrs: req('get', 'nodes', { name: 'b' }), allowed: true },
  { name: 'get a configmap', attrs: req('get', 'configmaps', { namespace: 'default', name: 'c' }), allowed: true },
  { name: 'get a pod log', attrs: pod('get', undefined, 'log'), allowed: true },
  { name: 'get a secret by name', attrs: req('get', 'secrets', { namespace: 'default', name: 's' }), allowed: true },
  { name: 'list secrets', attrs: req('list', 'secrets', { namespace: 'default' }), allowed: false, reason: /can only get individual resources of this type/ },
  { name: 'watch secrets', attrs: req('watch', 'secrets'), allowed: false, reason: /can only get individual resources/ },
  { name: 'get the cluster CA secret', attrs: req('get', 'secrets', { namespace: 'kube-system', name: 'tugboat-ca' }), allowed: false, reason: /control plane's credentials/ },
  { name: 'get a token secret', attrs: req('get', 'secrets', { namespace: 'kube-system', name: 'tug-token-abc123' }), allowed: false, reason: /control plane's credentials/ },
  { name: 'get a kube-system secret of a workload', attrs: req('get', 'secrets', { namespace: 'kube-system', name: 'dns-config' }), allowed: true },
  // Its Node
  { name: 'create its Node', attrs: req('create', 'nodes', { name: 'a' }), allowed: true },
  { name: 'patch its Node', attrs: req('patch', 'nodes', { name: 'a' }), allowed: true },
  { name: 'update its Node status', attrs: req('update', 'nodes', { name: 'a', subresource: 'status' }), allowed: true },
  { name: 'patch its Node status', attrs: req('patch', 'nodes', { name: 'a', subresource: 'status' }), allowed: true },
  { name: 'create another Node', attrs: req('create', 'nodes', { name: 'b' }), allowed: false, reason: /node "a" is not allowed to modify node "b"/ },
  { name: 'create a Node with a generated name', attrs: req('create', 'nodes'), allowed: false, reason: /not allowed to modify node ""/ },
  { name: 'patch another Node status', attrs: req('patch', 'nodes', { name: 'b', subresource: 'status' }), allowed: false, reason: /not allowed to modify node "b"/ },
  { name: 'delete its Node', attrs: req('delete', 'nodes', { name: 'a' }), allowed: false },
  { name: 'delete all Nodes', attrs: req('deletecollection', 'nodes'), allowed: false },
  // PersistentVolumes of its local provisioner
  { name: 'create a volume pinned to it', attrs: req('create', 'persistentvolumes', { name: 'pvc-1', volumeNodes: ['a'] }), allowed: true },
  { name: 'delete a volume pinned to it', attrs: req('delete', 'persistentvolumes', { name: 'pvc-1', volumeNodes: ['a'] }), allowed: true },
  { name: 'create a volume pinned to another node', attrs: req('create', 'persistentvolumes', { name: 'pvc-1', volumeNodes: ['b'] }), allowed: false, reason: /whose nodeAffinity names node 'a' alone/ },
  { name: 'create a volume pinned to it and another node', attrs: req('create', 'persistentvolumes', { name: 'pvc-1', volumeNodes: ['a', 'b'] }), allowed: false, reason: /names node 'a' alone/ },
  { name: 'create a volume without node affinity', attrs: req('create', 'persistentvolumes', { name: 'pvc-1', volumeNodes: [] }), allowed: false },
  { name: 'create a volume, nodes not looked up', attrs: req('create', 'persistentvolumes', { name: 'pvc-1' }), allowed: false },
  { name: 'delete a volume pinned to another node', attrs: req('delete', 'persistentvolumes', { name: 'pvc-1', volumeNodes: ['b'] }), allowed: false },
  { name: 'update a volume pinned to it', attrs: req('update', 'persistentvolumes', { name: 'pvc-1', volumeNodes: ['a'] }), allowed: false },
  { name: 'patch a volume status', attrs: req('patch', 'persistentvolumes', { name: 'pvc-1', subresource: 'status', volumeNodes: ['a'] }), allowed: false },
  { name: 'delete all volumes', attrs: req('deletecollection', 'persistentvolumes'), allowed: false },
  { name: 'create a claim', attrs: req('create', 'persistentvolumeclaims', { namespace: 'default', name: 'c' }), allowed: false },
  { name: 'list claims', attrs: req('list', 'persistentvolumeclaims'), allowed: true },
  // Its Lease
  { name: 'create its Lease', attrs: req('create', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'a' }), allowed: true },
  { name: 'patch its Lease', attrs: req('patch', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'a' }), allowed: true },
  { name: 'update its Lease', attrs: req('update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'a' }), allowed: true },
  { name: 'patch another node\'s Lease', attrs: req('patch', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'b' }), allowed: false, reason: /only modify its own lease kube-node-lease\/a/ },
  { name: 'a Lease of its name elsewhere', attrs: req('update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-system', name: 'a' }), allowed: false },
  { name: 'delete its Lease', attrs: req('delete', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'a' }), allowed: false },
  // Pods
  { name: 'patch the status of its pod', attrs: pod('patch', 'a', 'status'), allowed: true },
  { name: 'update the status of its pod', attrs: pod('update', 'a', 'status'), allowed: true },
  { name: 'delete its pod', attrs: pod('delete', 'a'), allowed: true },
  { name: 'patch the status of another node\'s pod', attrs: pod('patch', 'b', 'status'), allowed: false, reason: /no relationship found between node 'a' and this object/ },
  { name: 'patch the status of an unbound pod', attrs: pod('patch', '', 'status'), allowed: false, reason: /no relationship/ },
  { name: 'status of a pod not looked up', attrs: pod('patch', undefined, 'status'), allowed: false, reason: /no relationship/ },
  { name: 'delete another node\'s pod', attrs: pod('delete', 'b'), allowed: false, reason: /no relationship/ },
  { name: 'patch its pod itself (spec, labels)', attrs: pod('patch', 'a'), allowed: false },
  { name: 'update its pod itself', attrs: pod('update', 'a'), allowed: false },
  { name: 'create a pod', attrs: req('create', 'pods', { namespace: 'default', name: 'web' }), allowed: false },
  { name: 'delete all pods', attrs: req('deletecollection', 'pods', { namespace: 'default' }), allowed: false },
  { name: 'bind a pod', attrs: pod('create', 'a', 'binding'), allowed: false },
  { name: 'exec into its pod', attrs: pod('create', 'a', 'exec'), allowed: false },
  { name: 'port-forward to a pod', attrs: pod('create', 'a', 'portforward'), allowed: false },
  { name: 'attach to a pod', attrs: pod('create', 'a', 'attach'), allowed: false },
  // Events and reviews
  { name: 'create an event', attrs: req('create', 'events', { namespace: 'default' }), allowed: true },
  { name: 'patch an event', attrs: req('patch', 'events', { namespace: 'default', name: 'e' }), allowed: true },
  { name: 'create an events.k8s.io event', attrs: req('create', 'events', { group: 'events.k8s.io', namespace: 'default' }), allowed: true },
  { name: 'delete an event', attrs: req('delete', 'events', { namespace: 'default', name: 'e' }), allowed: false },
  { name: 'create a TokenReview', attrs: req('create', 'tokenreviews', { group: 'authentication.k8s.io' }), allowed: true },
  { name: 'create a SelfSubjectAccessReview', attrs: req('create', 'selfsubjectaccessreviews', { group: 'authorization.k8s.io' }), allowed: true },
  // Everything else
  { name: 'create a Deployment', attrs: req('create', 'deployments', { group: 'apps', namespace: 'default' }), allowed: false, reason: /may only change its own Node and Lease/ },
  { name: 'update a Service', attrs: req('update', 'services', { namespace: 'default', name: 's' }), allowed: false },
  { name: 'create a Secret', attrs: req('create', 'secrets', { namespace: 'kube-system' }), allowed: false },
  { name: 'request a node credential', attrs: req('create', 'nodecredentialrequests', { group: 'tugboat.dev' }), allowed: false },
  { name: 'scale a Deployment', attrs: req('patch', 'deployments', { group: 'apps', namespace: 'default', name: 'd', subresource: 'scale' }), allowed: false },
  // Non-resource paths
  { name: 'GET discovery', attrs: { user: nodeA, verb: 'get', path: '/api' }, allowed: true },
  { name: 'POST a non-resource path', attrs: { user: nodeA, verb: 'post', path: '/version' }, allowed: false },
  // Not a node name
  { name: 'a system:nodes member without a node user name', attrs: { ...req('get', 'pods'), user: { name: 'kubelet', groups: ['system:nodes'] } }, allowed: false, reason: /unknown node for user "kubelet"/ },
];

describe('node authorizer', () => {
  it.each(cases)('$name', ({ attrs, allowed, reason }) => {
    const decision = authorizeNode(attrs);
    expect(decision.allowed).toBe(allowed);
    if (reason && !decision.allowed) expect(decision.reason).toMatch(reason);
  });

  it.each([
    { attrs: pod('delete', undefined), needs: true },
    { attrs: pod('patch', undefined, 'status'), needs: true },
    { attrs: pod('update', undefined, 'status'), needs: true },
    { attrs: pod('get', undefined), needs: false },
    { attrs: pod('patch', undefined), needs: false },
    { attrs: req('delete', 'pods', { namespace: 'default' }), needs: false },
    { attrs: req('delete', 'nodes', { name: 'a' }), needs: false },
    { attrs: req('delete', 'pods', { group: 'other.io', namespace: 'default', name: 'web' }), needs: false },
  ])('needsBoundNode($attrs.verb $attrs.resource/$attrs.subresource) is $needs', ({ attrs, needs }) => {
    expect(needsBoundNode(attrs)).toBe(needs);
  });
});
