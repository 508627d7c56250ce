import { describe, expect, it } from 'vitest';
import { notFound } from '../api/status.js';
import type { Store } from '../store/store.js';
import { authorize, forbidden, type Attributes } from './authorizer.js';
import { ANONYMOUS, type UserInfo } from './context.js';
import { RequestAuthorizer, requestAttributes, requestURL } from './request-authorizer.js';

const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const bootstrap: UserInfo = { name: 'system:bootstrap:abc123', groups: ['system:bootstrappers', 'system:authenticated'] };
const nodeA: UserInfo = { name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };

const url = (path: string) => new URL(path, 'https://server');

describe('authorize', () => {
  const clusterInfo = requestAttributes(ANONYMOUS, 'GET', url('/api/v1/namespaces/kube-public/configmaps/cluster-info'));
  it.each([
    { name: 'anonymous reads cluster-info', attrs: clusterInfo, allowed: true },
    { name: 'anonymous watches cluster-info', attrs: requestAttributes(ANONYMOUS, 'GET', url('/api/v1/namespaces/kube-public/configmaps/cluster-info?watch=1')), allowed: false },
    { name: 'anonymous reads another ConfigMap', attrs: requestAttributes(ANONYMOUS, 'GET', url('/api/v1/namespaces/kube-public/configmaps/other')), allowed: false },
    { name: 'anonymous updates cluster-info', attrs: requestAttributes(ANONYMOUS, 'PUT', url('/api/v1/namespaces/kube-public/configmaps/cluster-info')), allowed: false },
    { name: 'a bootstrap token requests a node credential', attrs: requestAttributes(bootstrap, 'POST', url('/apis/tugboat.dev/v1/nodecredentialrequests')), allowed: true },
    { name: 'a bootstrap token lists pods', attrs: requestAttributes(bootstrap, 'GET', url('/api/v1/pods')), allowed: false },
    { name: 'a bootstrap token creates a Node', attrs: requestAttributes(bootstrap, 'POST', url('/api/v1/nodes')), allowed: false },
    { name: 'a bootstrap token reads discovery', attrs: requestAttributes(bootstrap, 'GET', url('/api')), allowed: false },
    { name: 'a node requests a node credential', attrs: requestAttributes(nodeA, 'POST', url('/apis/tugboat.dev/v1/nodecredentialrequests')), allowed: false },
    { name: 'the admin does anything', attrs: requestAttributes(admin, 'DELETE', url('/api/v1/namespaces/default/pods')), allowed: true },
    { name: 'the admin requests a node credential', attrs: requestAttributes(admin, 'POST', url('/apis/tugboat.dev/v1/nodecredentialrequests')), allowed: true },
  ])('$name: $allowed', ({ attrs, allowed }) => {
    expect(authorize(attrs).allowed).toBe(allowed);
  });
});

describe('requestAttributes', () => {
  it.each([
    { method: 'GET', path: '/api/v1/namespaces/default/pods', verb: 'list', resource: 'pods', namespace: 'default', name: '' },
    { method: 'GET', path: '/api/v1/pods?watch=true', verb: 'watch', resource: 'pods', namespace: '', name: '' },
    { method: 'GET', path: '/api/v1/watch/namespaces/default/pods/web', verb: 'watch', resource: 'pods', namespace: 'default', name: 'web' },
    { method: 'GET', path: '/api/v1/namespaces/default/pods/web', verb: 'get', resource: 'pods', namespace: 'default', name: 'web' },
    { method: 'POST', path: '/api/v1/namespaces/default/pods', verb: 'create', resource: 'pods', namespace: 'default', name: '' },
    { method: 'PUT', path: '/api/v1/nodes/a/status', verb: 'update', resource: 'nodes', subresource: 'status', namespace: '', name: 'a' },
    { method: 'PATCH', path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a', verb: 'patch', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'a' },
    { method: 'DELETE', path: '/api/v1/namespaces/default/pods/web', verb: 'delete', resource: 'pods', namespace: 'default', name: 'web' },
    { method: 'DELETE', path: '/api/v1/namespaces/default/pods', verb: 'deletecollection', resource: 'pods', namespace: 'default', name: '' },
    { method: 'GET', path: '/api/v1/namespaces/default/pods/web/exec?command=sh', verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web' },
    { method: 'POST', path: '/api/v1/namespaces/default/pods/web/portforward', verb: 'create', resource: 'pods', subresource: 'portforward', namespace: 'default', name: 'web' },
    { method: 'GET', path: '/api/v1/namespaces/default/pods/web/attach', verb: 'create', resource: 'pods', subresource: 'attach', namespace: 'default', name: 'web' },
    { method: 'GET', path: '/api/v1/namespaces/default/pods/web/log', verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default', name: 'web' },
  ])('$method $path → $verb', ({ method, path, verb, group = '', resource, subresource = '', namespace, name }) => {
    expect(requestAttributes(admin, method, url(path))).toEqual({ user: admin, verb, group, resource, subresource, namespace, name });
  });

  it('a target starting with // stays a path', () => {
    expect(requestAttributes(admin, 'PATCH', requestURL('//4%3Evw%5E/.'))).toEqual({ user: admin, verb: 'patch', path: '//4%3Evw%5E/' });
  });

  it('non-resource paths keep their path and method', () => {
    expect(requestAttributes(admin, 'GET', url('/apis/apps/v1'))).toEqual({ user: admin, verb: 'get', path: '/apis/apps/v1' });
    expect(requestAttributes(admin, 'GET', url('/version?x=1'))).toEqual({ user: admin, verb: 'get', path: '/version' });
  });
});

describe('forbidden', () => {
  it('words a namespaced denial as upstream, with the subresource and the reason', () => {
    const attrs = requestAttributes(nodeA, 'PATCH', url('/api/v1/namespaces/default/pods/x/status'));
    const status = forbidden(attrs, "no relationship found between node 'a' and this object").toStatus();
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pods "x" is forbidden: User "system:node:a" cannot patch resource "pods/status" in API group "" in the namespace "default": no relationship found between node 'a' and this object`,
      reason: 'Forbidden',
      details: { name: 'x', kind: 'pods' },
      code: 403,
    });
  });

  it('names the group and the cluster scope', () => {
    const attrs: Attributes = { user: nodeA, verb: 'create', group: 'apps', resource: 'deployments', subresource: '', namespace: '', name: '' };
    expect(forbidden(attrs, 'r').message).toBe('deployments.apps is forbidden: User "system:node:a" cannot create resource "deployments" in API group "apps" at the cluster scope: r');
    expect(forbidden(attrs, 'r').details).toEqual({ kind: 'deployments', group: 'apps' });
  });

  it('words a non-resource denial', () => {
    expect(forbidden({ user: bootstrap, verb: 'get', path: '/api' }, 'r').message).toBe('forbidden: User "system:bootstrap:abc123" cannot get path "/api": r');
  });
});

describe('RequestAuthorizer', () => {
  /** A store that knows pod default/web bound to `node`, and nothing else. */
  const storeWithPod = (node: string) =>
    ({
      get: async (key: { resource: string; namespace?: string; name: string }) => {
        if (key.resource === 'core/pods' && key.namespace === 'default' && key.name === 'web') return { metadata: { name: 'web' }, spec: { nodeName: node } };
        throw notFound({ group: '', resource: 'pods', name: key.name });
      },
    }) as unknown as Store;

  it('lets a node patch the status of its own pod and refuses another node with 403', async () => {
    await expect(new RequestAuthorizer(storeWithPod('a')).check(nodeA, 'PATCH', '/api/v1/namespaces/default/pods/web/status')).resolves.toBeUndefined();
    await expect(new RequestAuthorizer(storeWithPod('b')).check(nodeA, 'PATCH', '/api/v1/namespaces/default/pods/web/status')).rejects.toMatchObject({ code: 403, reason: 'Forbidden' });
    await expect(new RequestAuthorizer(storeWithPod('b')).check(nodeA, 'DELETE', '/api/v1/namespaces/default/pods/web')).rejects.toMatchObject({ code: 403 });
  });

  it('answers 404 when a node addresses a pod that does not exist', async () => {
    await expect(new RequestAuthorizer(storeWithPod('a')).check(nodeA, 'DELETE', '/api/v1/namespaces/default/pods/gone')).rejects.toMatchObject({ code: 404 });
  });

  it("decides a node's create by the name in the body, decoding it only then", async () => {
    const authorizer = new RequestAuthorizer(storeWithPod('a'));
    await expect(authorizer.check(nodeA, 'POST', '/api/v1/nodes', () => ({ metadata: { name: 'a' } }))).resolves.toBeUndefined();
    await expect(authorizer.check(nodeA, 'POST', '/api/v1/nodes', () => ({ metadata: { name: 'b' } }))).rejects.toThrow(/nodes "b" is forbidden: User "system:node:a" cannot create resource "nodes"/);
    let decoded = false;
    await authorizer.check(admin, 'POST', '/api/v1/nodes', () => (decoded = true));
    expect(decoded).toBe(false);
  });

  it('reviews a missing pod as related to no node', async () => {
    const decision = await new RequestAuthorizer(storeWithPod('a')).review({ user: nodeA, verb: 'delete', group: '', resource: 'pods', subresource: '', namespace: 'default', name: 'gone' });
    expect(decision).toEqual({ allowed: false, reason: "no relationship found between node 'a' and this object" });
  });
});
