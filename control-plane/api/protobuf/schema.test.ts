import { describe, expect, it } from 'vitest';
import { ProtoReader, ProtobufError } from './reader.js';
import { decodeMessage, type FieldSpec, type MessageSchema } from './schema.js';
import { entry, intOrString, key, len, num, quantity, str, time, varint } from './wire.test-util.js';

const schema = (fields: Record<number, FieldSpec>): MessageSchema => ({ fields });
const decode = (s: MessageSchema, bytes: number[]) => decodeMessage(new ProtoReader(Uint8Array.from(bytes)), s);

describe('decodeMessage: IntOrString', () => {
  const s = schema({ 1: { name: 'port', type: 'intOrString' }, 2: { name: 'maxSurge', type: 'intOrString' } });

  it.each([
    ['an int', intOrString(1, 8080), { port: 8080 }],
    ['a string', intOrString(1, 'http'), { port: 'http' }],
    ['a percentage', intOrString(2, '25%'), { maxSurge: '25%' }],
    ['int zero (present, unlike a plain zero scalar)', intOrString(1, 0), { port: 0 }],
    ['an empty string', intOrString(1, ''), { port: '' }],
    ['a negative int', len(1, [...num(1, 0), ...num(2, -1)]), { port: -1 }],
    ['an empty message (type int, value 0)', len(1, []), { port: 0 }],
    ['only strVal without type: the int', len(1, str(3, 'x')), { port: 0 }],
  ])('decodes %s', (_n, bytes, want) => {
    expect(decode(s, bytes)).toEqual(want);
  });
});

describe('decodeMessage: Quantity and resource lists', () => {
  const s = schema({ 1: { name: 'sizeLimit', type: 'quantity' }, 2: { name: 'limits', type: 'quantityMap' } });

  it('keeps a quantity as the string sent', () => {
    expect(decode(s, quantity(1, '64Mi'))).toEqual({ sizeLimit: '64Mi' });
    expect(decode(s, quantity(1, '0'))).toEqual({ sizeLimit: '0' });
  });

  it('reads a message without the string as the zero quantity, as Go writes it', () => {
    expect(decode(s, len(1, []))).toEqual({ sizeLimit: '0' });
  });

  it('refuses an empty quantity string, as ParseQuantity does', () => {
    expect(() => decode(s, quantity(1, ''))).toThrow(new ProtobufError('quantity is empty'));
  });

  it('decodes map<string, Quantity>, a missing value as "0"', () => {
    const bytes = [...entry(2, 'cpu', str(1, '100m')), ...entry(2, 'memory', str(1, '64Mi')), ...len(2, str(1, 'pods'))];
    expect(decode(s, bytes)).toEqual({ limits: { cpu: '100m', memory: '64Mi', pods: '0' } });
  });
});

describe('decodeMessage: map<string, Time>', () => {
  const s = schema({ 2: { name: 'disruptedPods', type: 'timeMap' } });

  it('decodes times as RFC 3339 and the zero time as null', () => {
    const bytes = [...entry(2, 'web-0', [...num(1, 1714564800)]), ...entry(2, 'web-1', [])];
    expect(decode(s, bytes)).toEqual({ disruptedPods: { 'web-0': '2024-05-01T12:00:00Z', 'web-1': null } });
  });
});

describe('decodeMessage: repeated varints', () => {
  const s = schema({ 4: { name: 'supplementalGroups', type: 'int64', repeated: true }, 3: { name: 'values', type: 'int32', repeated: true } });

  it('reads them one per tag, as Go writes them, keeping zeros', () => {
    expect(decode(s, [...num(4, 3000), ...num(4, 0), ...num(3, -1)])).toEqual({ supplementalGroups: [3000, 0], values: [-1] });
  });

  it('reads packed runs too, mixed with single ones', () => {
    expect(decode(s, [...len(3, [...varint(3), ...varint(42)]), ...num(3, 7), ...len(4, [])])).toEqual({ values: [3, 42, 7], supplementalGroups: [] });
  });

  it('refuses a truncated packed run', () => {
    expect(() => decode(s, len(3, [0x80]))).toThrow(ProtobufError);
  });
});

describe('decodeMessage: inlined structs', () => {
  const handler = schema({ 1: { name: 'exec', type: schema({ 1: { name: 'command', type: 'string', repeated: true } }) } });
  const probe = schema({ 1: { name: 'handler', type: handler, inline: true }, 4: { name: 'periodSeconds', type: 'int32' } });

  it("puts the embedded struct's fields into the enclosing object", () => {
    expect(decode(probe, [...len(1, len(1, str(1, 'true'))), ...num(4, 5)])).toEqual({ exec: { command: ['true'] }, periodSeconds: 5 });
  });

  it('reads an empty embedded struct as nothing', () => {
    expect(decode(probe, len(1, []))).toEqual({});
  });
});

describe('decodeMessage: zero values', () => {
  const s = schema({
    1: { name: 'replicas', type: 'int32', optional: true },
    5: { name: 'minReadySeconds', type: 'int32' },
    2: { name: 'value', type: 'int32', always: true },
    3: { name: 'paused', type: 'bool' },
    6: { name: 'suspend', type: 'bool', optional: true },
    7: { name: 'creationTimestamp', type: 'time' },
  });

  it('drops plain zeros, keeps pointer and non-omitempty ones', () => {
    const bytes = [...num(1, 0), ...num(5, 0), ...num(2, 0), ...num(3, 0), ...num(6, 0), ...len(7, [])];
    expect(decode(s, bytes)).toEqual({ replicas: 0, value: 0, suspend: false });
  });

  it('lets a later zero clear an earlier plain value', () => {
    expect(decode(s, [...num(5, 10), ...num(5, 0), ...time(7, 1714564800)])).toEqual({ creationTimestamp: '2024-05-01T12:00:00Z' });
  });

  it('checks wire types of the new types', () => {
    expect(() => decode(schema({ 1: { name: 'port', type: 'intOrString' } }), num(1, 5))).toThrow(/field port \(1\) has wire type 0/);
    expect(() => decode(schema({ 1: { name: 'limits', type: 'quantityMap' } }), [...key(1, 5), 0, 0, 0, 0])).toThrow(/field limits \(1\) has wire type 5/);
  });
});
