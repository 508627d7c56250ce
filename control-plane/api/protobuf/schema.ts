/**
 * Schema-driven decoding of Kubernetes' generated.proto messages into the JSON objects the same
 * data has in the API. A MessageSchema lists the fields of one message by number; fields it does
 * not list are skipped. Non-pointer scalars (plain strings, ints, bools) are always on the wire,
 * so their zero values mean "absent" and are left out; `optional` marks pointer fields, whose
 * presence counts even when zero.
 */
import { ProtoReader, ProtobufError, WIRE_BYTES, WIRE_VARINT, type Tag } from './reader.js';

/** string, bytes (base64 in JSON), varint numbers and bools. */
export type ScalarType = 'string' | 'bytes' | 'int64' | 'int32' | 'bool';

/**
 * `time`: a metav1.Time message (RFC 3339 in JSON, to the second); `fieldsV1`: a FieldsV1 message
 * whose raw bytes are JSON; `stringMap` / `bytesMap`: map<string, string|bytes>; or a message.
 */
export type FieldType = ScalarType | 'time' | 'fieldsV1' | 'stringMap' | 'bytesMap' | MessageSchema;

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** A pointer field upstream: kept when present even if zero. */
  optional?: boolean;
}

export interface MessageSchema {
  fields: Record<number, FieldSpec>;
}

const VARINT_TYPES: FieldType[] = ['int64', 'int32', 'bool'];

/** Sets an own property even for names like `__proto__` (map keys come from the client). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const MIN_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

/** A Timestamp {1 seconds, 2 nanos} as RFC 3339; undefined for the zero time, which JSON omits. */
function decodeTime(r: ProtoReader): string | undefined {
  let seconds = 0n;
  let nanos = 0;
  while (!r.done) {
    const tag = r.tag();
    if (tag.field === 1 && tag.wire === WIRE_VARINT) seconds = r.int64();
    else if (tag.field === 2 && tag.wire === WIRE_VARINT) nanos = r.int32();
    else r.skip(tag);
  }
  if (seconds === 0n && nanos === 0) return undefined;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new ProtobufError(`timestamp ${seconds} is out of range`);
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** FieldsV1 {1 Raw}: the managed-fields JSON document; undefined when empty. */
function decodeFieldsV1(r: ProtoReader): unknown {
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const tag = r.tag();
    if (tag.field === 1 && tag.wire === WIRE_BYTES) raw = r.bytes();
    else r.skip(tag);
  }
  if (!raw?.length) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ProtobufError('fieldsV1 is not valid JSON');
  }
}

/** One map entry {1 key, 2 value}; a missing key or value is the empty one. */
function decodeMapEntry(r: ProtoReader, bytesValue: boolean): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const tag = r.tag();
    if (tag.field === 1 && tag.wire === WIRE_BYTES) key = r.string();
    else if (tag.field === 2 && tag.wire === WIRE_BYTES) value = bytesValue ? base64(r.bytes()) : r.string();
    else r.skip(tag);
  }
  return [key, value];
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === undefined;
}

function decodeValue(r: ProtoReader, type: Exclude<FieldType, 'stringMap' | 'bytesMap' | MessageSchema>): unknown {
  switch (type) {
    case 'string':
      return r.string();
    case 'bytes':
      return base64(r.bytes());
    case 'int64':
      return Number(r.int64());
    case 'int32':
      return r.int32();
    case 'bool':
      return r.bool();
    case 'time':
      return decodeTime(r.message());
    case 'fieldsV1':
      return decodeFieldsV1(r.message());
  }
}

function decodeField(r: ProtoReader, spec: FieldSpec, target: Record<string, unknown>): void {
  const { name, type } = spec;
  if (type === 'stringMap' || type === 'bytesMap') {
    const map = (target[name] ??= {}) as Record<string, unknown>;
    const [key, value] = decodeMapEntry(r.message(), type === 'bytesMap');
    put(map, key, value);
    return;
  }
  if (typeof type === 'object') {
    const sub = r.message();
    if (spec.repeated) ((target[name] ??= []) as unknown[]).push(decodeMessage(sub, type));
    else target[name] = decodeMessage(sub, type, (target[name] as Record<string, unknown> | undefined) ?? {});
    return;
  }
  const value = decodeValue(r, type);
  if (spec.repeated) ((target[name] ??= []) as unknown[]).push(value);
  else if (spec.optional ? value !== undefined : !isZero(value)) target[name] = value;
  else delete target[name];
}

function expectedWire(type: FieldType): number {
  return typeof type === 'string' && VARINT_TYPES.includes(type) ? WIRE_VARINT : WIRE_BYTES;
}

/**
 * Decodes the rest of `r` as a message of `schema` into `target` (a repeated occurrence of an
 * embedded message merges into the earlier one, as protobuf specifies). Throws ProtobufError for
 * malformed data or a known field with the wrong wire type.
 */
export function decodeMessage(r: ProtoReader, schema: MessageSchema, target: Record<string, unknown> = {}): Record<string, unknown> {
  while (!r.done) {
    const tag: Tag = r.tag();
    const spec = Object.hasOwn(schema.fields, tag.field) ? schema.fields[tag.field]! : undefined;
    if (!spec) {
      r.skip(tag);
      continue;
    }
    if (tag.wire !== expectedWire(spec.type)) throw new ProtobufError(`field ${spec.name} (${tag.field}) has wire type ${tag.wire}`);
    decodeField(r, spec, target);
  }
  return target;
}
