// The API server's side of pod streams, short of the network: container defaulting, the agent's
// address, log options, protocol paths and how agent refusals read.
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import { agentError } from './agent-dialer.js';
import { podStreamPath } from './index.js';
import { agentEndpoint, requireAgentEndpoint, resolveContainer } from './locate.js';
import { agentLogQuery } from './log.js';

const pod = (spec: any, nodeName?: string) => ({ metadata: { name: 'web', namespace: 'default' }, spec: { ...spec, ...(nodeName ? { nodeName } : {}) } });
const named = (...names: string[]) => names.map((name) => ({ name, image: 'x' }));

/** A store holding these nodes; get() answers 404 for others, as the real one. */
function storeOf(nodes: Record<string, any>) {
  return {
    get: async (key: { resource: string; name: string }) => {
      const node = key.resource === 'core/nodes' ? nodes[key.name] : undefined;
      if (!node) throw new StatusError(404, 'NotFound', `nodes "${key.name}" not found`);
      return node;
    },
  } as any;
}

describe('resolveContainer', () => {
  it.each([
    ['the only container when none is named', pod({ containers: named('app') }), undefined, 'app'],
    ['a named container', pod({ containers: named('app', 'side') }), 'side', 'side'],
    ['an init container by name', pod({ initContainers: named('init'), containers: named('app') }), 'init', 'init'],
  ])('takes %s', (_what, p, requested, expected) => {
    expect(resolveContainer(p, requested)).toBe(expected);
  });

  it.each([
    ['an unknown name', pod({ containers: named('app') }), 'nope', 'container nope is not valid for pod web'],
    ['no name with several', pod({ initContainers: named('init'), containers: named('a', 'b') }), undefined, 'a container name must be specified for pod web, choose one of: [init a b]'],
    ['no name and no containers', pod({ containers: [] }), undefined, 'a container name must be specified for pod web'],
  ])('refuses %s with a 400', (_what, p, requested, message) => {
    expect(() => resolveContainer(p, requested)).toThrow(expect.objectContaining({ code: 400, message }));
  });
});

describe('agentEndpoint', () => {
  const node = (addresses: any[], port?: number) => ({ status: { addresses, ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) } });

  it.each([
    ['InternalIP before the others', node([{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.5' }], 10255), { host: '10.0.0.5', port: 10255 }],
    ['the hostname when nothing better is known, on the default port', node([{ type: 'Hostname', address: 'n1' }]), { host: 'n1', port: 10250 }],
  ])('reaches the agent at %s', async (_what, n, expected) => {
    expect(await agentEndpoint(storeOf({ n1: n }), pod({ containers: named('a') }, 'n1'))).toEqual(expected);
  });

  it('knows no agent for an unbound pod; streams that need one get upstream 400', async () => {
    const unbound = pod({ containers: named('a') });
    expect(await agentEndpoint(storeOf({}), unbound)).toBeUndefined();
    await expect(requireAgentEndpoint(storeOf({}), unbound)).rejects.toMatchObject({ code: 400, message: 'pod web does not have a host assigned' });
  });

  it('reports a missing node and a node without addresses', async () => {
    await expect(agentEndpoint(storeOf({}), pod({}, 'gone'))).rejects.toMatchObject({ code: 404 });
    await expect(agentEndpoint(storeOf({ n1: node([]) }), pod({}, 'n1'))).rejects.toMatchObject({ code: 400, message: 'node n1 has no address to reach its agent at' });
  });
});

describe('agentLogQuery', () => {
  it('passes the options the agent understands', () => {
    const q = agentLogQuery({ follow: 'true', previous: 'false', timestamps: '1', tailLines: '10', limitBytes: '100', sinceSeconds: '60', container: 'app' }, 'web');
    expect(Object.fromEntries(q)).toEqual({ follow: 'true', timestamps: 'true', tailLines: '10', limitBytes: '100', sinceSeconds: '60' });
    expect(Object.fromEntries(agentLogQuery({ sinceTime: '2024-05-01T10:00:00Z' }, 'web'))).toEqual({ sinceTime: '2024-05-01T10:00:00Z' });
  });

  it.each([
    [{ tailLines: '-1' }, 422, 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'],
    [{ limitBytes: '0' }, 422, 'PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: must be greater than 0'],
    [{ sinceSeconds: '0' }, 422, 'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0'],
    [{ sinceSeconds: '5', sinceTime: '2024-05-01T10:00:00Z' }, 422, 'PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified'],
    [{ sinceTime: 'yesterday' }, 400, 'parsing time "yesterday"'],
    [{ follow: 'maybe' }, 400, 'invalid value for query parameter follow'],
  ])('refuses %j', (q, code, message) => {
    expect(() => agentLogQuery(q, 'web')).toThrow(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });
});

describe('podStreamPath', () => {
  it.each([
    ['/api/v1/namespaces/ns/pods/web/exec', { namespace: 'ns', name: 'web', subresource: 'exec' }],
    ['/api/v1/namespaces/ns/pods/web/attach', { namespace: 'ns', name: 'web', subresource: 'attach' }],
    ['/api/v1/namespaces/ns/pods/web/portforward', { namespace: 'ns', name: 'web', subresource: 'portforward' }],
    ['/api/v1/namespaces/ns/pods/web/log', undefined],
    ['/api/v1/namespaces/ns/pods', undefined],
    ['/api/v1/namespaces/ns/services/web/exec', undefined],
    ['/apis/apps/v1/namespaces/ns/deployments/web/exec', undefined],
  ])('%s', (path, expected) => {
    expect(podStreamPath(path)).toEqual(expected);
  });
});

describe('agentError', () => {
  it.each([
    [400, 'container "x" in pod "y" is waiting to start: ContainerCreating', 400, 'BadRequest', 'container "x" in pod "y" is waiting to start: ContainerCreating'],
    [404, 'pod "y" not found', 404, 'NotFound', 'pod "y" not found'],
    [401, 'Unauthorized', 500, 'InternalError', 'Internal error occurred: the node agent answered 401: Unauthorized'],
  ])('reads the agent’s %d as upstream', (status, text, code, reason, message) => {
    expect(agentError(status, text)).toMatchObject({ code, reason, message });
  });
});
