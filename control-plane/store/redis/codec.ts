/**
 * How objects are written to and read from Redis. The store owns metadata.resourceVersion: it is
 * never part of the stored JSON (the rv lives beside it as `<rv>\n<json>`, or in the stream entry id)
 * and is set on every object handed out.
 */
import type { KObject } from '../store.js';

const METADATA_FIRST = '{"metadata":{';

/**
 * The JSON stored for `obj`: the object without metadata.resourceVersion, with `metadata` as its
 * first key, so that readers can serve it without parsing (withResourceVersionText).
 * Does not modify `obj`.
 */
export function encode(obj: KObject): string {
  const { resourceVersion: _dropped, ...metadata } = obj.metadata ?? {};
  const { metadata: _meta, ...rest } = obj;
  return JSON.stringify({ metadata, ...rest });
}

/**
 * The stored JSON with metadata.resourceVersion set, as text: spliced in without parsing when the
 * JSON starts with its metadata (everything encode() wrote), parsed and re-encoded otherwise.
 */
export function withResourceVersionText(json: string, rv: string): string {
  if (!json.startsWith(METADATA_FIRST)) return JSON.stringify(decode(json, rv));
  const rest = json.slice(METADATA_FIRST.length);
  return `${METADATA_FIRST}"resourceVersion":${JSON.stringify(rv)}${rest.startsWith('}') ? '' : ','}${rest}`;
}

/** Parses stored JSON and sets its resourceVersion. */
export function decode<T extends KObject>(json: string, rv: string): T {
  const obj = JSON.parse(json) as T;
  obj.metadata.resourceVersion = rv;
  return obj;
}

const METADATA_FIRST_BYTES = Buffer.from(METADATA_FIRST);
const NEWLINE = 0x0a;
const CLOSE_BRACE = 0x7d;

/**
 * withResourceVersionText on bytes: a stored hash value `<rv>\n<json>` as the object's JSON bytes
 * with metadata.resourceVersion set, without decoding it.
 */
export function storedToJSONBytes(stored: Buffer): Buffer {
  const nl = stored.indexOf(NEWLINE);
  const rv = stored.toString('latin1', 0, nl);
  const json = stored.subarray(nl + 1);
  if (!json.subarray(0, METADATA_FIRST_BYTES.length).equals(METADATA_FIRST_BYTES)) {
    return Buffer.from(withResourceVersionText(json.toString('utf8'), rv));
  }
  const rest = json.subarray(METADATA_FIRST_BYTES.length);
  const field = Buffer.from(`"resourceVersion":${JSON.stringify(rv)}${rest[0] === CLOSE_BRACE ? '' : ','}`);
  return Buffer.concat([METADATA_FIRST_BYTES, field, rest]);
}

/** Splits a stored hash value `<rv>\n<json>`. */
export function splitStored(stored: string): { rv: string; json: string } {
  const nl = stored.indexOf('\n');
  return { rv: stored.slice(0, nl), json: stored.slice(nl + 1) };
}

/** A copy of `obj` (shallow, metadata copied) carrying `rv`. */
export function withResourceVersion<T extends KObject>(obj: T, rv: string): T {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
}

/** The numeric rv of a stream entry id `<rv>-0`. */
export function rvOfId(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
