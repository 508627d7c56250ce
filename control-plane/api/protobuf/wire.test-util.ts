/**
 * Test helper: a tiny protobuf encoder, to build bodies the way Go's generated marshalling does.
 */

export function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

export const key = (field: number, wire: number) => varint((field << 3) | wire);
/** A varint field. */
export const num = (field: number, n: bigint | number) => [...key(field, 0), ...varint(n)];
/** A length-delimited field: an embedded message, bytes or a packed run. */
export const len = (field: number, payload: number[] | Uint8Array) => [...key(field, 2), ...varint(payload.length), ...payload];
export const str = (field: number, s: string) => len(field, [...Buffer.from(s, 'utf8')]);
/** A map entry {1 key, 2 value} whose value is already encoded bytes. */
export const entry = (field: number, k: string, v: number[] | Uint8Array) => len(field, [...str(1, k), ...len(2, v)]);
/** A metav1.Time {1 seconds, 2 nanos}. */
export const time = (field: number, seconds: number, nanos = 0) => len(field, [...num(1, seconds), ...(nanos ? num(2, nanos) : [])]);
/** An intstr.IntOrString as Go writes it: all three fields. */
export const intOrString = (field: number, v: number | string) =>
  len(field, typeof v === 'number' ? [...num(1, 0), ...num(2, v), ...str(3, '')] : [...num(1, 1), ...num(2, 0), ...str(3, v)]);
/** A resource.Quantity {1 string}. */
export const quantity = (field: number, q: string) => len(field, str(1, q));

/** Empty non-pointer ObjectMeta fields, as Go always writes them. */
export const EMPTY_META_TAIL = [...str(2, ''), ...str(3, ''), ...str(4, ''), ...str(5, ''), ...str(6, ''), ...num(7, 0), ...len(8, [])];

/** A request body: the magic and a runtime.Unknown around the raw object. */
export function body(apiVersion: string, kind: string, raw: number[], contentEncoding = ''): Buffer {
  const unknown = [...len(1, [...str(1, apiVersion), ...str(2, kind)]), ...len(2, raw), ...str(3, contentEncoding), ...str(4, '')];
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}
