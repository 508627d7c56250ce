/**
 * HTTP handling of resource paths (/api/v1/..., /apis/<group>/<version>/...): maps method, path
 * and query onto the resource service and encodes its answers (JSON or Table, Warning headers).
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findResource, type ResourceDef, type Verb } from '../api/registry.js';
import { badRequest, methodNotAllowed, StatusError } from '../api/status.js';
import type { Attributes, Decision } from './authorizer.js';
import { decodeObjectBody, decodePatchBody, negotiate } from './content.js';
import type { RequestContext, UserInfo } from './context.js';
import { parseResourcePath, type ResourcePath } from './request-info.js';
import { boolParam, deleteOptions, dryRunParam, fieldValidationParam, intParam, param, type Query } from './query.js';
import type { ResourceService } from './resource-service.js';
import { createBinding, reviewSelfAccess, reviewToken } from './subresources.js';
import type { PodStreams } from './streams/index.js';
import { getScale, patchScale, updateScale } from './scale.js';
import { TABLE_CONTENT_TYPE, toTable } from './table.js';
import { serveWatch } from './watch-handler.js';
import type { OpenWatches } from './open-watches.js';
import type { Store } from '../store/store.js';
import { conversions } from '../api/conversions.js';

/** What the request is, for metrics and errors: verb and resource. */
export interface RequestLabels {
  verb: string;
  resource: string;
}

const NOT_FOUND = new StatusError(404, 'NotFound', 'the server could not find the requested resource');

function userAgentManager(req: FastifyRequest): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0]!.trim() || 'unknown';
}

function requestContext(req: FastifyRequest, q: Query, user: UserInfo): RequestContext {
  const manager = param(q, 'fieldManager');
  if (manager !== undefined && (manager.length === 0 || manager.length > 128)) throw badRequest('fieldManager: Invalid value: must be between 1 and 128 characters long');
  return {
    user,
    fieldManager: manager ?? userAgentManager(req),
    dryRun: dryRunParam(q),
    fieldValidation: fieldValidationParam(q),
    warnings: [],
    now: new Date(),
  };
}

function sendWarnings(reply: FastifyReply, ctx: RequestContext): void {
  if (ctx.warnings.length) reply.header('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

/** Joins small buffers into pieces of at least `size` bytes. */
function* batched(parts: Buffer[], size: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for (const part of parts) {
    pending.push(part);
    length += part.length;
    if (length >= size) {
      yield Buffer.concat(pending, length);
      pending = [];
      length = 0;
    }
  }
  if (length > 0) yield Buffer.concat(pending, length);
}

export class ResourceHandler {
  constructor(
    private readonly service: ResourceService,
    private readonly store: Store,
    private readonly watches: OpenWatches,
    private readonly streams: PodStreams,
    private readonly authenticate: (token: string) => Promise<UserInfo | undefined>,
    /** The authorizer's decision, for SelfSubjectAccessReviews. */
    private readonly review: (attrs: Attributes) => Promise<Decision>,
  ) {}

  /** The storage-version view of a served object, which printers read. */
  private storageView(def: ResourceDef, obj: any): any {
    return def.storageVersion ? obj : conversions[`${def.group}/${def.version}/${def.plural}`]!.toStorage(obj);
  }

  private sendObject(reply: FastifyReply, req: FastifyRequest, def: ResourceDef, code: number, obj: any): void {
    if (negotiate(req.headers.accept) === 'table' && obj?.kind === def.kind) {
      const table = toTable(def, [this.storageView(def, obj)], { resourceVersion: obj.metadata?.resourceVersion }, new Date());
      reply.code(code).header('Content-Type', TABLE_CONTENT_TYPE).send(JSON.stringify(table));
      return;
    }
    reply.code(code).header('Content-Type', 'application/json').send(JSON.stringify(obj));
  }

  /** Handles one resource request; `labels` is filled for metrics. Throws StatusErrors. */
  async handle(req: FastifyRequest, reply: FastifyReply, user: UserInfo, labels: RequestLabels): Promise<void> {
    const url = new URL(req.url, 'http://x');
    const path = parseResourcePath(url.pathname);
    if (!path) throw NOT_FOUND;
    const def = findResource(path.group, path.version, path.resource);
    if (!def) throw NOT_FOUND;
    labels.resource = path.subresource ? `${def.plural}/${path.subresource}` : def.plural;
    const q = req.query as Query;
    if (def.namespaced === false && path.namespace) throw NOT_FOUND;
    if (path.subresource && !def.subresources.includes(path.subresource as never) && !(def.plural === 'namespaces' && path.subresource === 'finalize')) throw NOT_FOUND;
    const method = req.method;

    if (method === 'GET' && !path.name) {
      const watch = path.watchPrefix || boolParam(q, 'watch');
      labels.verb = watch ? 'WATCH' : 'LIST';
      this.allow(def, watch ? 'watch' : 'list');
      if (watch) return this.watch(req, reply, def, path, q);
      return this.list(req, reply, def, path, q);
    }
    if (!path.name) {
      if (method === 'POST') {
        labels.verb = 'POST';
        this.allow(def, 'create');
        const ctx = requestContext(req, q, user);
        const body = decodeObjectBody(req.headers['content-type'], req.body as Buffer);
        if (def.storage === 'authorization.k8s.io/selfsubjectaccessreviews') {
          return this.sendObject(reply, req, def, 201, await reviewSelfAccess(body, user, this.review));
        }
        if (def.storage === 'authentication.k8s.io/tokenreviews') {
          return this.sendObject(reply, req, def, 201, await reviewToken(body, this.authenticate));
        }
        const created = await this.service.create(def, path.namespace, body, ctx);
        sendWarnings(reply, ctx);
        return this.sendObject(reply, req, def, 201, created);
      }
      if (method === 'DELETE') {
        labels.verb = 'DELETE';
        this.allow(def, 'deletecollection');
        const ctx = requestContext(req, q, user);
        const body = req.body && (req.body as Buffer).length ? decodeObjectBody(req.headers['content-type'], req.body as Buffer) : undefined;
        const { options, dryRun } = deleteOptions(body, q);
        const list = await this.service.deleteCollection(
          def,
          { namespace: path.namespace, labelSelector: param(q, 'labelSelector'), fieldSelector: param(q, 'fieldSelector') },
          options,
          { ...ctx, dryRun: ctx.dryRun || dryRun },
        );
        return this.sendObject(reply, req, def, 200, list);
      }
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
    return this.handleItem(req, reply, def, path, q, user, labels);
  }

  private allow(def: ResourceDef, verb: Verb): void {
    if (!def.verbs.includes(verb)) throw methodNotAllowed(`the server does not allow this method on the requested resource (${verb} ${def.plural})`);
  }

  private async handleItem(req: FastifyRequest, reply: FastifyReply, def: ResourceDef, path: ResourcePath, q: Query, user: UserInfo, labels: RequestLabels): Promise<void> {
    const { namespace, name, subresource } = path;
    const method = req.method;
    if (subresource === 'scale') {
      labels.verb = method;
      if (method === 'GET') return this.sendObject(reply, req, def, 200, await getScale(this.service, def, namespace, name));
      const ctx = requestContext(req, q, user);
      if (method === 'PUT') {
        const body = decodeObjectBody(req.headers['content-type'], req.body as Buffer);
        return this.sendObject(reply, req, def, 200, await updateScale(this.service, def, namespace, name, body, ctx));
      }
      if (method === 'PATCH') {
        const { type, patch } = decodePatchBody(req.headers['content-type'], req.body as Buffer);
        return this.sendObject(reply, req, def, 200, await patchScale(this.service, def, namespace, name, type, patch, ctx));
      }
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
    if (subresource === 'binding' && method === 'POST') {
      labels.verb = 'POST';
      const body = decodeObjectBody(req.headers['content-type'], req.body as Buffer);
      return this.sendObject(reply, req, def, 201, await createBinding(this.store, def, namespace, name, body, requestContext(req, q, user)));
    }
    if (subresource === 'log') {
      labels.verb = method;
      if (method !== 'GET') throw methodNotAllowed('the server does not allow this method on the requested resource');
      return this.streams.serveLog(reply, namespace, name, q);
    }
    // Streams come as upgrades (app.ts hands them to PodStreams); a plain request cannot have one.
    if (subresource === 'exec' || subresource === 'attach' || subresource === 'portforward') throw badRequest('Upgrade request required');
    if (subresource && subresource !== 'status' && subresource !== 'finalize') {
      throw new StatusError(400, 'BadRequest', `the ${subresource} subresource of ${def.plural} is served by the node the pod runs on, and no node agent is connected yet`);
    }
    switch (method) {
      case 'GET': {
        labels.verb = 'GET';
        this.allow(def, 'get');
        const text = subresource === '' && negotiate(req.headers.accept) === 'json' ? await this.service.getText(def, namespace, name) : undefined;
        if (text !== undefined) return reply.code(200).header('Content-Type', 'application/json').send(text);
        return this.sendObject(reply, req, def, 200, await this.service.get(def, namespace, name));
      }
      case 'PUT': {
        labels.verb = 'PUT';
        this.allow(def, 'update');
        const ctx = requestContext(req, q, user);
        const body = decodeObjectBody(req.headers['content-type'], req.body as Buffer);
        if (subresource === 'finalize') return this.sendObject(reply, req, def, 200, await this.service.finalizeNamespace(def, name, body, ctx));
        const { object, created } = await this.service.update(def, namespace, name, body, subresource, ctx);
        sendWarnings(reply, ctx);
        return this.sendObject(reply, req, def, created ? 201 : 200, object);
      }
      case 'PATCH': {
        labels.verb = 'PATCH';
        this.allow(def, 'patch');
        const ctx = requestContext(req, q, user);
        const { type, patch } = decodePatchBody(req.headers['content-type'], req.body as Buffer);
        const force = boolParam(q, 'force');
        if (force && type !== 'apply') throw badRequest('force: Invalid value: true: may not be specified for non-apply patch');
        if (type === 'apply' && param(q, 'fieldManager') === undefined) throw badRequest('fieldManager: Required value: is required for apply patch');
        const { object, created } = await this.service.patch(def, namespace, name, type, patch, subresource, ctx, force);
        sendWarnings(reply, ctx);
        return this.sendObject(reply, req, def, created ? 201 : 200, object);
      }
      case 'DELETE': {
        labels.verb = 'DELETE';
        this.allow(def, 'delete');
        const ctx = requestContext(req, q, user);
        const body = req.body && (req.body as Buffer).length ? decodeObjectBody(req.headers['content-type'], req.body as Buffer) : undefined;
        const { options, dryRun } = deleteOptions(body, q);
        const outcome = await this.service.delete(def, namespace, name, options, { ...ctx, dryRun: ctx.dryRun || dryRun });
        return this.sendObject(reply, req, def, outcome.code, outcome.body);
      }
      default:
        throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
  }

  private async list(req: FastifyRequest, reply: FastifyReply, def: ResourceDef, path: ResourcePath, q: Query): Promise<void> {
    const limit = intParam(q, 'limit');
    if (limit !== undefined && limit < 0) throw badRequest('limit: Invalid value: must be 0 or greater');
    const query = {
      namespace: path.namespace,
      labelSelector: param(q, 'labelSelector'),
      fieldSelector: param(q, 'fieldSelector'),
      limit: limit || undefined,
      continue: param(q, 'continue') || undefined,
    };
    const format = negotiate(req.headers.accept);
    const chunks = format === 'json' ? await this.service.listJSON(def, query) : undefined;
    if (chunks) {
      // Large lists go out in pieces of about 1 MiB instead of one giant string.
      reply.code(200).header('Content-Type', 'application/json');
      return reply.send(Readable.from(batched(chunks, 1 << 20)));
    }
    const { list, raw } = await this.service.list(def, query);
    if (format === 'table') {
      const objects = def.storageVersion ? list.items : raw.items;
      const table = toTable(def, objects, list.metadata, new Date());
      reply.code(200).header('Content-Type', TABLE_CONTENT_TYPE).send(JSON.stringify(table));
      return;
    }
    reply.code(200).header('Content-Type', 'application/json').send(JSON.stringify(list));
  }

  private async watch(req: FastifyRequest, reply: FastifyReply, def: ResourceDef, path: ResourcePath, q: Query): Promise<void> {
    const format = negotiate(req.headers.accept);
    const timeoutSeconds = intParam(q, 'timeoutSeconds');
    const bookmarks = boolParam(q, 'allowWatchBookmarks');
    await serveWatch(
      reply,
      () =>
        this.service.watch(def, {
          namespace: path.namespace,
          labelSelector: param(q, 'labelSelector'),
          fieldSelector: param(q, 'fieldSelector'),
          resourceVersion: param(q, 'resourceVersion'),
          bookmarkIntervalMs: bookmarks ? 30_000 : 0,
        }),
      {
        format,
        timeoutSeconds,
        toTableObject: (obj, first) => {
          const table = toTable(def, [this.storageView(def, obj)], { resourceVersion: obj.metadata?.resourceVersion }, new Date()) as any;
          if (!first) table.columnDefinitions = [];
          return table;
        },
        watches: this.watches,
      },
    );
  }
}
