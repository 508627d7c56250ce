/**
 * Request bodies in and response formats out: JSON, YAML and the protobuf bodies kubectl 1.32+
 * sends for `create configmap|secret|namespace` and `auth can-i`; Table or plain JSON answers by
 * the Accept header. Pure functions; errors are StatusErrors.
 */
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject } from '../api/protobuf/index.js';
import { badRequest, notAcceptable, unsupportedMediaType } from '../api/status.js';
import type { PatchType } from './patch-dispatch.js';

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
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

/** Decodes an object body (POST/PUT) by its Content-Type. */
export function decodeObjectBody(contentType: string | undefined, body: Buffer | undefined): unknown {
  if (!body || body.length === 0) throw badRequest('the request body is empty: send the object');
  const type = mediaType(contentType);
  switch (type) {
    case '':
    case 'application/json':
      return parseJson(body.toString('utf8'));
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return parseYamlDocument(body.toString('utf8'));
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
  const patch = type === 'apply' ? parseYamlDocument(text) : parseJson(text);
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
