/**
 * A minimal reader of the protobuf wire format (varints, fixed 32/64-bit, length-delimited,
 * groups), enough to decode the request bodies kubectl sends. Every malformed or truncated input
 * ends in a ProtobufError; nothing reads past the end of the buffer.
 */

/** Malformed protobuf data; the message says what and where. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const MAX_FIELD_NUMBER = 2 ** 29 - 1;
const utf8 = new TextDecoder('utf-8');

export interface Tag {
  field: number;
  wire: number;
}

/** Reads one message: the bytes of `buf` from `start` to `end`. Not reusable after an error. */
export class ProtoReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  /** Whether the message has been read to its end. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufError(`unexpected end of data at byte ${this.pos}`);
  }

  /** An unsigned varint of up to ten bytes as a 64-bit value (higher bits are dropped, as Go does). */
  uint64(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, value);
    }
    throw new ProtobufError(`varint longer than ten bytes at byte ${this.pos}`);
  }

  /** int64: the varint as a two's complement 64-bit value. */
  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /** int32: negative values arrive sign-extended to ten bytes; the low 32 bits count. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.uint64()));
  }

  bool(): boolean {
    return this.uint64() !== 0n;
  }

  /** The next field's number and wire type. */
  tag(): Tag {
    const at = this.pos;
    const key = this.uint64();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field <= 0 || field > MAX_FIELD_NUMBER) throw new ProtobufError(`illegal field number ${field} at byte ${at}`);
    if (wire > WIRE_FIXED32) throw new ProtobufError(`illegal wire type ${wire} at byte ${at}`);
    return { field, wire };
  }

  /** A length-delimited value's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const length = this.uint64();
    if (length > BigInt(this.end - this.pos)) throw new ProtobufError(`length ${length} at byte ${this.pos} runs past the end of the data`);
    const start = this.pos;
    this.pos += Number(length);
    return this.buf.subarray(start, this.pos);
  }

  /** A length-delimited UTF-8 string (invalid sequences become U+FFFD, as Go's JSON encoding does). */
  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over the next length-delimited value: an embedded message. */
  message(): ProtoReader {
    const bytes = this.bytes();
    return new ProtoReader(bytes);
  }

  /** Skips the value of a field with this wire type, including whole (nested) groups. */
  skip(tag: Tag): void {
    const groups: number[] = [];
    let current = tag;
    for (;;) {
      switch (current.wire) {
        case WIRE_VARINT:
          this.uint64();
          break;
        case WIRE_FIXED64:
          this.need(8);
          this.pos += 8;
          break;
        case WIRE_BYTES:
          this.bytes();
          break;
        case WIRE_FIXED32:
          this.need(4);
          this.pos += 4;
          break;
        case WIRE_START_GROUP:
          groups.push(current.field);
          break;
        case WIRE_END_GROUP:
          if (groups.pop() !== current.field) throw new ProtobufError(`unmatched end of group ${current.field} before byte ${this.pos}`);
          break;
      }
      if (groups.length === 0) return;
      current = this.tag();
    }
  }
}
