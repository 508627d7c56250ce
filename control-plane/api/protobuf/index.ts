/**
 * Protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), which kubectl 1.32+
 * sends for its typed `create` subcommands (configmap, secret, namespace, serviceaccount,
 * deployment, job, cronjob, service, priorityclass, quota, role, rolebinding, clusterrole,
 * clusterrolebinding, poddisruptionbudget, ingress), `autoscale` and `auth can-i` (measured;
 * shared/kubectl-probe, testdata/). A body is the magic `k8s\0` and a runtime.Unknown {1 typeMeta
 * {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType} whose raw bytes are the object in
 * its generated.proto encoding; messages.ts lists the kinds decoded.
 */
import { StatusError, badRequest, isStatusError } from '../status.js';
import { KINDS } from './messages.js';
import { ProtoReader, WIRE_BYTES } from './reader.js';
import { decodeMessage } from './schema.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

function decodeUnknown(r: ProtoReader): Unknown {
  const out: Unknown = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  while (!r.done) {
    const tag = r.tag();
    if (tag.wire !== WIRE_BYTES || tag.field > 3) {
      r.skip(tag);
    } else if (tag.field === 1) {
      const meta = r.message();
      while (!meta.done) {
        const t = meta.tag();
        if (t.field === 1 && t.wire === WIRE_BYTES) out.apiVersion = meta.string();
        else if (t.field === 2 && t.wire === WIRE_BYTES) out.kind = meta.string();
        else meta.skip(t);
      }
    } else if (tag.field === 2) out.raw = r.bytes();
    else out.contentEncoding = r.string();
  }
  return out;
}

/**
 * The JSON object of a protobuf request body: `{apiVersion, kind, ...}` as kubectl would have sent
 * it as JSON (zero-valued plain fields left out). Throws StatusError BadRequest (400) for anything
 * that is not a well-formed body, and UnsupportedMediaType (415) for kinds this server does not
 * decode from protobuf or an encoded (e.g. gzip) raw object.
 */
export function decodeProtobufObject(body: Uint8Array): any {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  try {
    const unknown = decodeUnknown(new ProtoReader(body, MAGIC.length));
    const gvk = `${unknown.apiVersion}/${unknown.kind}`;
    const schema = Object.hasOwn(KINDS, gvk) ? KINDS[gvk] : undefined;
    if (!schema) {
      throw new StatusError(415, 'UnsupportedMediaType', `protobuf request bodies are not supported for ${unknown.kind || '(no kind)'} ${unknown.apiVersion}: send application/json`);
    }
    if (unknown.contentEncoding) {
      throw new StatusError(415, 'UnsupportedMediaType', `protobuf content encoding ${JSON.stringify(unknown.contentEncoding)} is not supported`);
    }
    return { apiVersion: unknown.apiVersion, kind: unknown.kind, ...decodeMessage(new ProtoReader(unknown.raw), schema) };
  } catch (e) {
    if (isStatusError(e)) throw e;
    throw badRequest(`unable to decode protobuf body: ${(e as Error).message}`);
  }
}
