/**
 * Authorizes HTTP requests: turns method and URL into authorization Attributes as upstream's
 * RequestInfoFactory does, fills in what the node authorizer needs to know (the name in a create's
 * body, the node a pod is bound to) and refuses denied requests with a 403 Status. Every request the
 * API server serves (plain, upgraded, on every path) passes `check` before anything else happens.
 */
import { notFound, type StatusError } from '../api/status.js';
import type { Store } from '../store/store.js';
import { authorize, forbidden, isResourceRequest, type Attributes, type Decision, type ResourceAttributes } from './authorizer.js';
import { NODES_GROUP, type UserInfo } from './context.js';
import { pinnedNodes } from '../api/storage.js';
import { needsBoundNode, needsVolumeNodes } from './node-authorizer.js';
import { parseResourcePath } from './request-info.js';

/** Pod subresources that open streams into containers: `create` whatever the method, as upstream authorizes them since 1.30. */
const STREAMS = new Set(['exec', 'attach', 'portforward']);

const WATCH_VALUES = new Set(['true', '1']);

/** The URL of a request line's target; never throws (a target such as `//x` stays a path, not a host). */
export function requestURL(target: string): URL {
  return new URL(`http://x${target.startsWith('/') ? '' : '/'}${target}`);
}

/** The attributes of a request, without lookups (name of a create, a pod's node). Pure. */
export function requestAttributes(user: UserInfo, method: string, url: URL): Attributes {
  const path = parseResourcePath(url.pathname);
  if (!path) return { user, verb: method.toLowerCase(), path: url.pathname };
  const { group, resource, subresource, namespace, name } = path;
  let verb: string;
  if (resource === 'pods' && group === '' && STREAMS.has(subresource)) verb = 'create';
  else if (method === 'GET' || method === 'HEAD') verb = path.watchPrefix || WATCH_VALUES.has(url.searchParams.get('watch') ?? '') ? 'watch' : name ? 'get' : 'list';
  else if (method === 'POST') verb = 'create';
  else if (method === 'PUT') verb = 'update';
  else if (method === 'PATCH') verb = 'patch';
  else if (method === 'DELETE') verb = name ? 'delete' : 'deletecollection';
  else verb = method.toLowerCase();
  return { user, verb, group, resource, subresource, namespace, name };
}

export class RequestAuthorizer {
  constructor(private readonly store: Store) {}

  /**
   * Throws a 403 Status unless `user` may make this request; 404 when a node addresses a pod that
   * does not exist (what the request itself would answer). `body` decodes the request body; it is
   * called only for creates by nodes (whose decision depends on the new object's name). `target`
   * is the request line's path and query.
   */
  async check(user: UserInfo, method: string, target: string, body?: () => unknown): Promise<void> {
    const attrs = requestAttributes(user, method, requestURL(target));
    if (isResourceRequest(attrs) && user.groups.includes(NODES_GROUP)) {
      if (attrs.verb === 'create' && !attrs.name && !attrs.subresource && body) {
        const name = (body() as any)?.metadata?.name;
        attrs.name = typeof name === 'string' ? name : '';
      }
      if (needsBoundNode(attrs)) attrs.podNodeName = await this.podNodeName(attrs);
      if (needsVolumeNodes(attrs)) attrs.volumeNodes = await this.volumeNodes(attrs, body);
    }
    const decision = authorize(attrs);
    if (!decision.allowed) throw forbidden(attrs, decision.reason);
  }

  /** The decision on the attributes a SelfSubjectAccessReview asks about; a pod that does not exist is related to no node. */
  async review(attrs: Attributes): Promise<Decision> {
    if (isResourceRequest(attrs) && attrs.user.groups.includes(NODES_GROUP) && needsBoundNode(attrs)) {
      try {
        attrs = { ...attrs, podNodeName: await this.podNodeName(attrs) };
      } catch (err) {
        if ((err as StatusError).code !== 404) throw err;
      }
    }
    return authorize(attrs);
  }

  /** The pinned nodes of the volume a node creates (its body) or deletes (as stored); [] when unknown. */
  private async volumeNodes(attrs: ResourceAttributes, body?: () => unknown): Promise<string[]> {
    if (attrs.verb === 'create') return (body && pinnedNodes(body())) ?? [];
    try {
      return pinnedNodes(await this.store.get<any>({ resource: 'core/persistentvolumes', namespace: '', name: attrs.name })) ?? [];
    } catch (err) {
      if ((err as StatusError).code === 404) throw notFound({ group: '', resource: 'persistentvolumes', name: attrs.name });
      throw err;
    }
  }

  private async podNodeName(attrs: ResourceAttributes): Promise<string> {
    try {
      const pod = await this.store.get<any>({ resource: 'core/pods', namespace: attrs.namespace, name: attrs.name });
      return typeof pod.spec?.nodeName === 'string' ? pod.spec.nodeName : '';
    } catch (err) {
      if ((err as StatusError).code === 404) throw notFound({ group: '', resource: 'pods', name: attrs.name });
      throw err;
    }
  }
}
