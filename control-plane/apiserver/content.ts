/**
 * Request bodies in and response formats out: JSON, YAML and the protobuf bodies kubectl 1.32+
 * sends for `create configmap|secret|namespace` and `auth can-i`; Table or plain JSON answers by
 * the Accept header. Pure functions; errors are StatusErrors.
 */
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject } from '../api/protobuf/index.js';
import { badRequest, notAcceptable, unsupportedMediaType } from '../api/status.js';
import type { PatchType } from './patch-dispatch.js';

/**
 * The deepest nesting of arrays and objects a body may have. Upstream's decoder stops at 10000;
 * the recursive code here (patches, conversions, printers) needs a lower bound, and no Kubernetes
 * object comes near it.
 */
const MAX_NESTING_DEPTH = 1000;

/** Refuses a decoded body nested deeper than MAX_NESTING_DEPTH (checked without recursion). */
function checkNesting(value: unknown): unknown {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_NESTING_DEPTH) throw badRequest(`json: exceeded max depth of ${MAX_NESTING_DEPTH} nested arrays and objects`);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return value;
}

/** The media type without parameters, lower case. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function parseYamlDocument(text: string): unknown {
  try {
    // Warnings (unknown directives, collection keys) would go to the process's stderr: keep them off it.
    return parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (err) {
    // The YAML parser recurses: a document nested some hundreds deep exhausts the stack (V8's words).
    const message = (err as Error).message;
    const why = message.includes('Maximum call stack size exceeded') ? 'the document is nested too deeply' : message;
    throw badRequest(`error converting YAML to JSON: ${why}`);
  }
}

/** Decodes an object body (POST/PUT) by its Content-Type. */
export function decodeObjectBody(contentType: string | undefined, body: Buffer | undefined): unknown {
  if (!body || body.length === 0) throw badRequest('the request body is empty: send the object');
  const type = mediaType(contentType);
  switch (type) {
    case '':
    case 'application/json':
      return checkNesting(parseJson(body.toString('utf8')));
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return checkNesting(parseYamlDocument(body.toString('utf8')));
    case 'application/vnd.kubernetes.protobuf':
      return decodeProtobufObject(body);
    default:
      throw unsupportedMediaType(type);
  }
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type named by a PATCH request's Content-Type, and its decoded body. */
export function decodePatchBody(contentType: string | undefined, body: Buffer | undefined): { type: PatchType; patch: unknown } {
  const media = mediaType(contentType);
  const type = PATCH_TYPES[media];
  if (!type) {
    throw unsupportedMediaType(media, Object.keys(PATCH_TYPES));
  }
  if (!body || body.length === 0) throw badRequest('the patch body is empty');
  const text = body.toString('utf8');
  const patch = checkNesting(type === 'apply' ? parseYamlDocument(text) : parseJson(text));
  return { type, patch };
}

export type ResponseFormat = 'json' | 'table';

/**
 * Chooses the answer's format from Accept: a meta.k8s.io Table when asked for one (kubectl get),
 * JSON otherwise. Protobuf is never answered; clients that also accept JSON get JSON (client-go
 * decodes by the response Content-Type). 406 when nothing acceptable remains.
 */
export function negotiate(accept: string | undefined): ResponseFormat {
  if (!accept) return 'json';
  let json = false;
  for (const raw of accept.split(',')) {
    const [typePart, ...params] = raw.split(';').map((s) => s.trim());
    const type = (typePart ?? '').toLowerCase();
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (type === 'application/json' || type === '*/*')) return 'table';
    if (p.as) continue;
    if (type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/yaml') json = true;
  }
  if (!json) throw notAcceptable('only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io');
  return 'json';
}
