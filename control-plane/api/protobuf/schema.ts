/**
 * Schema-driven decoding of Kubernetes' generated.proto messages into the JSON objects the same
 * data has in the API. A MessageSchema lists the fields of one message by number; fields it does
 * not list are skipped. Non-pointer scalars (plain strings, ints, bools) are always on the wire,
 * so their zero values mean "absent" and are left out; `optional` marks pointer fields, whose
 * presence counts even when zero, and `always` the few non-pointer ones whose JSON has no
 * omitempty (PriorityClass.value). Embedded messages, and the values carried in them
 * (IntOrString, Quantity), are kept when present, even empty or zero: Go writes non-pointer
 * structs always, and its JSON keeps them too. Repeated varints may come packed or not.
 */
import { ProtoReader, ProtobufError, WIRE_BYTES, WIRE_VARINT, type Tag } from './reader.js';

/** string, bytes (base64 in JSON), varint numbers and bools. */
export type ScalarType = 'string' | 'bytes' | 'int64' | 'int32' | 'bool';

/**
 * Maps (entries {1 key, 2 value}) from string keys to: `stringMap` strings, `bytesMap` bytes
 * (base64), `quantityMap` resource.Quantity (a ResourceList), `timeMap` metav1.Time.
 */
export type MapType = 'stringMap' | 'bytesMap' | 'quantityMap' | 'timeMap';

/**
 * `time`: a metav1.Time message (RFC 3339 in JSON, to the second); `fieldsV1`: a FieldsV1 message
 * whose raw bytes are JSON; `intOrString`: an intstr.IntOrString {1 type, 2 intVal, 3 strVal}, a
 * number or a string in JSON; `quantity`: a resource.Quantity {1 string}, its string in JSON; a
 * map; or a message.
 */
export type FieldType = ScalarType | 'time' | 'fieldsV1' | 'intOrString' | 'quantity' | MapType | MessageSchema;

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** A pointer field upstream: kept when present even if zero. */
  optional?: boolean;
  /**
   * A non-pointer scalar whose JSON tag has no `omitempty` (e.g. PriorityClass.value): Go's JSON
   * writes its zero value, so it is kept when present even if zero, like a pointer.
   */
  always?: boolean;
  /**
   * An embedded struct that JSON inlines (`json:",inline"`, e.g. Volume's VolumeSource, Probe's
   * ProbeHandler): its fields land in the enclosing object; `name` only documents it.
   */
  inline?: boolean;
}

export interface MessageSchema {
  fields: Record<number, FieldSpec>;
}

const VARINT_TYPES: FieldType[] = ['int64', 'int32', 'bool'];
const MAP_TYPES: FieldType[] = ['stringMap', 'bytesMap', 'quantityMap', 'timeMap'];
/** Values carried in embedded messages: present means set (a zero time still decodes to nothing). */
const MESSAGE_VALUES: FieldType[] = ['time', 'fieldsV1', 'intOrString', 'quantity'];

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

const INT_OR_STRING_STRING = 1n;

/** IntOrString {1 type (0 int, 1 string), 2 intVal, 3 strVal}: the number or the string. */
function decodeIntOrString(r: ProtoReader): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const tag = r.tag();
    if (tag.field === 1 && tag.wire === WIRE_VARINT) type = r.int64();
    else if (tag.field === 2 && tag.wire === WIRE_VARINT) intVal = r.int32();
    else if (tag.field === 3 && tag.wire === WIRE_BYTES) strVal = r.string();
    else r.skip(tag);
  }
  return type === INT_OR_STRING_STRING ? strVal : intVal;
}

/**
 * Quantity {1 string}: the string as sent. A message without it is the zero quantity ("0", as Go
 * writes it); an empty string is refused, as Go's ParseQuantity does.
 */
function decodeQuantity(r: ProtoReader): string {
  let value: string | undefined;
  while (!r.done) {
    const tag = r.tag();
    if (tag.field === 1 && tag.wire === WIRE_BYTES) value = r.string();
    else r.skip(tag);
  }
  if (value === undefined) return '0';
  if (value === '') throw new ProtobufError('quantity is empty');
  return value;
}

/** The JSON value of a map entry's value (field 2) of this map type. */
function decodeMapValue(r: ProtoReader, type: MapType): unknown {
  switch (type) {
    case 'stringMap':
      return r.string();
    case 'bytesMap':
      return base64(r.bytes());
    case 'quantityMap':
      return decodeQuantity(r.message());
    case 'timeMap':
      return decodeTime(r.message()) ?? null;
  }
}

/** The value of a map entry whose value field is missing: Go's zero value in JSON. */
function zeroMapValue(type: MapType): unknown {
  switch (type) {
    case 'stringMap':
    case 'bytesMap':
      return '';
    case 'quantityMap':
      return '0';
    case 'timeMap':
      return null;
  }
}

/** One map entry {1 key, 2 value}; a missing key is the empty one. */
function decodeMapEntry(r: ProtoReader, type: MapType): [string, unknown] {
  let key = '';
  let value = zeroMapValue(type);
  while (!r.done) {
    const tag = r.tag();
    if (tag.field === 1 && tag.wire === WIRE_BYTES) key = r.string();
    else if (tag.field === 2 && tag.wire === WIRE_BYTES) value = decodeMapValue(r, type);
    else r.skip(tag);
  }
  return [key, value];
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === undefined;
}

type ValueType = Exclude<FieldType, MapType | MessageSchema>;

function decodeValue(r: ProtoReader, type: ValueType): unknown {
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
    case 'intOrString':
      return decodeIntOrString(r.message());
    case 'quantity':
      return decodeQuantity(r.message());
  }
}

function isMapType(type: FieldType): type is MapType {
  return MAP_TYPES.includes(type);
}

function decodeField(r: ProtoReader, spec: FieldSpec, target: Record<string, unknown>): void {
  const { name, type } = spec;
  if (isMapType(type)) {
    const map = (target[name] ??= {}) as Record<string, unknown>;
    const [key, value] = decodeMapEntry(r.message(), type);
    put(map, key, value);
    return;
  }
  if (typeof type === 'object') {
    const sub = r.message();
    if (spec.inline) decodeMessage(sub, type, target);
    else if (spec.repeated) ((target[name] ??= []) as unknown[]).push(decodeMessage(sub, type));
    else target[name] = decodeMessage(sub, type, (target[name] as Record<string, unknown> | undefined) ?? {});
    return;
  }
  const value = decodeValue(r, type);
  if (spec.repeated) ((target[name] ??= []) as unknown[]).push(value);
  else if (spec.optional || spec.always || MESSAGE_VALUES.includes(type) ? value !== undefined : !isZero(value)) target[name] = value;
  else delete target[name];
}

/** A packed repeated varint field (one length-delimited run of varints), which Go also accepts. */
function decodePacked(r: ProtoReader, spec: FieldSpec, target: Record<string, unknown>): void {
  const list = (target[spec.name] ??= []) as unknown[];
  const packed = r.message();
  while (!packed.done) list.push(decodeValue(packed, spec.type as ValueType));
}

function isVarint(type: FieldType): boolean {
  return VARINT_TYPES.includes(type);
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
    const varint = isVarint(spec.type);
    if (varint && spec.repeated && tag.wire === WIRE_BYTES) decodePacked(r, spec, target);
    else if (tag.wire !== (varint ? WIRE_VARINT : WIRE_BYTES)) throw new ProtobufError(`field ${spec.name} (${tag.field}) has wire type ${tag.wire}`);
    else decodeField(r, spec, target);
  }
  return target;
}
