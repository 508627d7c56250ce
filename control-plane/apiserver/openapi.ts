/**
 * OpenAPI v3 documents, one per group-version, built from the registry and the type schemas.
 * kubectl reads them to learn that the server validates fields itself (the `fieldValidation`
 * query parameter on PATCH), after which it sends fieldValidation=Strict and skips downloading
 * /openapi/v2; `kubectl explain` reads the component schemas. Documents are built once and cached.
 */
import { createHash } from 'node:crypto';
import { groupVersions, RESOURCES, type ResourceDef } from '../api/registry.js';
import { openAPIComponents, schemaNameOfKind } from '../api/schema/index.js';

const cache = new Map<string, { doc: string; hash: string }>();

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const param = (name: string, description: string, inPath = false) => ({
  name,
  in: inPath ? 'path' : 'query',
  description,
  required: inPath || undefined,
  schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  param('fieldValidation', 'Instructs the server how to handle objects in the request with unknown or duplicate fields: Ignore, Warn or Strict.'),
];

function operations(def: ResourceDef, item: boolean, schemaRef: unknown) {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const op = (action: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${def.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: schemaRef } } } },
    ...extra,
  });
  const ops: Record<string, unknown> = {};
  if (item) {
    if (def.verbs.includes('get')) ops.get = op('get');
    if (def.verbs.includes('update')) ops.put = op('put', { parameters: WRITE_PARAMS, requestBody: { content: { '*/*': { schema: schemaRef } }, required: true } });
    if (def.verbs.includes('patch')) {
      ops.patch = op('patch', {
        parameters: [...WRITE_PARAMS, param('force', 'Force is going to "force" Apply requests.')],
        requestBody: {
          content: Object.fromEntries(
            ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((t) => [t, { schema: { type: 'object' } }]),
          ),
          required: true,
        },
      });
    }
    if (def.verbs.includes('delete')) ops.delete = op('delete');
  } else {
    if (def.verbs.includes('list')) ops.get = op('list');
    if (def.verbs.includes('create')) ops.post = op('post', { parameters: WRITE_PARAMS, requestBody: { content: { '*/*': { schema: schemaRef } }, required: true } });
    if (def.verbs.includes('deletecollection')) ops.delete = op('deletecollection');
  }
  return ops;
}

function buildDocument(group: string, version: string): string {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  const paths: Record<string, unknown> = {};
  const kinds: { group: string; version: string; kind: string }[] = [];
  for (const def of defs) {
    kinds.push({ group: def.group, version: def.version, kind: def.kind });
    const schemaName = schemaNameOfKind(def.group, def.version, def.kind);
    const ref = schemaName ? { $ref: `#/components/schemas/${schemaName}` } : { type: 'object' };
    const base = `/${gvPath(group, version)}`;
    const scoped = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
    const nsParam = def.namespaced ? [param('namespace', 'object name and auth scope, such as for teams and projects', true)] : [];
    paths[scoped] = { parameters: nsParam, ...operations(def, false, ref) };
    paths[`${scoped}/{name}`] = { parameters: [param('name', `name of the ${def.kind}`, true), ...nsParam], ...operations(def, true, ref) };
    for (const sub of def.subresources.filter((s) => s === 'status' || s === 'scale')) {
      paths[`${scoped}/{name}/${sub}`] = { parameters: [param('name', `name of the ${def.kind}`, true), ...nsParam], ...operations(def, true, sub === 'status' ? ref : { type: 'object' }) };
    }
    if (def.namespaced && def.verbs.includes('list')) paths[`${base}/${def.plural}`] = { get: operations(def, false, ref).get };
  }
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths,
    components: { schemas: openAPIComponents(kinds) },
  };
  return JSON.stringify(doc);
}

function entry(group: string, version: string) {
  const key = gvPath(group, version);
  let e = cache.get(key);
  if (!e) {
    const doc = buildDocument(group, version);
    e = { doc, hash: createHash('sha512').update(doc).digest('hex').slice(0, 32).toUpperCase() };
    cache.set(key, e);
  }
  return e;
}

/** /openapi/v3: where each group-version's document is, with a content hash for caching. */
export function openAPIIndex() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of groupVersions()) {
    for (const v of g.versions) {
      const key = gvPath(g.group, v);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${entry(g.group, v).hash}` };
    }
  }
  return { paths };
}

/** The document for `api/v1` or `apis/<group>/<version>`, or undefined when not served. */
export function openAPIDocument(gv: string): string | undefined {
  const parts = gv.split('/');
  if (parts[0] === 'api' && parts.length === 2) return RESOURCES.some((r) => r.group === '' && r.version === parts[1]) ? entry('', parts[1]!).doc : undefined;
  if (parts[0] === 'apis' && parts.length === 3) {
    return RESOURCES.some((r) => r.group === parts[1] && r.version === parts[2]) ? entry(parts[1]!, parts[2]!).doc : undefined;
  }
  return undefined;
}
