import { describe, expect, it } from 'vitest';
import { ProtoReader, ProtobufError } from './reader.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('ProtoReader varints', () => {
  it.each([
    [[0x00], 0n],
    [[0x01], 1n],
    [[0x7f], 127n],
    [[0x80, 0x01], 128n],
    [[0xac, 0x02], 300n],
    [[0x80, 0x80, 0x80, 0x80, 0x10], 2n ** 32n],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 2n ** 63n - 1n],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 2n ** 64n - 1n],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 2n ** 64n - 1n],
  ])('%j reads as %s', (b, want) => {
    const r = new ProtoReader(bytes(...b));
    expect(r.uint64()).toBe(want);
    expect(r.done).toBe(true);
  });

  it('reads signed values as two’s complement', () => {
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(new ProtoReader(bytes(...minusOne)).int64()).toBe(-1n);
    expect(new ProtoReader(bytes(...minusOne)).int32()).toBe(-1);
    expect(new ProtoReader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).int64()).toBe(-(2n ** 63n));
    expect(new ProtoReader(bytes(0x02)).bool()).toBe(true);
  });

  it.each([
    ['truncated varint', [0x80]],
    ['eleven-byte varint', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('%s fails', (_n, b) => {
    expect(() => new ProtoReader(bytes(...b)).uint64()).toThrow(ProtobufError);
  });
});

describe('ProtoReader tags and values', () => {
  it('reads tags, strings and embedded messages', () => {
    const r = new ProtoReader(bytes(0x0a, 0x02, 0x68, 0x69, 0x12, 0x02, 0x08, 0x05));
    expect(r.tag()).toEqual({ field: 1, wire: 2 });
    expect(r.string()).toBe('hi');
    expect(r.tag()).toEqual({ field: 2, wire: 2 });
    const sub = r.message();
    expect(r.done).toBe(true);
    expect(sub.tag()).toEqual({ field: 1, wire: 0 });
    expect(sub.uint64()).toBe(5n);
    expect(sub.done).toBe(true);
  });

  it('respects the end of the region it was given', () => {
    const buf = bytes(0xff, 0x08, 0x01, 0xff);
    const r = new ProtoReader(buf, 1, 3);
    expect(r.tag()).toEqual({ field: 1, wire: 0 });
    expect(r.uint64()).toBe(1n);
    expect(r.done).toBe(true);
    const short = new ProtoReader(buf, 1, 2);
    expect(short.tag()).toEqual({ field: 1, wire: 0 });
    expect(() => short.uint64()).toThrow(ProtobufError);
  });

  it.each([
    ['field number 0', [0x00]],
    ['wire type 6', [0x0e]],
    ['wire type 7', [0x0f]],
  ])('refuses %s', (_n, b) => {
    expect(() => new ProtoReader(bytes(...b)).tag()).toThrow(ProtobufError);
  });

  it('refuses lengths past the end', () => {
    expect(() => new ProtoReader(bytes(0x05, 0x61)).bytes()).toThrow(/runs past the end/);
    expect(() => new ProtoReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).bytes()).toThrow(ProtobufError);
  });

  it('skips every wire type, nested groups included', () => {
    const data = bytes(
      0x08, 0x96, 0x01, // 1: varint 150
      0x11, 1, 2, 3, 4, 5, 6, 7, 8, // 2: fixed64
      0x1a, 0x01, 0x61, // 3: bytes "a"
      0x23, 0x2b, 0x08, 0x01, 0x2c, 0x35, 1, 2, 3, 4, 0x24, // 4: group { 5: group { 1: 1 } 6: fixed32 }
      0x3d, 9, 9, 9, 9, // 7: fixed32
      0x40, 0x07, // 8: varint 7
    );
    const r = new ProtoReader(data);
    for (let i = 0; i < 5; i++) r.skip(r.tag());
    expect(r.tag()).toEqual({ field: 8, wire: 0 });
    expect(r.uint64()).toBe(7n);
    expect(r.done).toBe(true);
  });

  it.each([
    ['an end group without a start', [0x0c]],
    ['a group ended by another field number', [0x0b, 0x14]],
    ['an unterminated group', [0x0b, 0x10, 0x01]],
    ['a truncated fixed64', [0x09, 1, 2, 3]],
    ['a truncated fixed32', [0x0d, 1]],
  ])('fails to skip %s', (_n, b) => {
    const r = new ProtoReader(bytes(...b));
    expect(() => r.skip(r.tag())).toThrow(ProtobufError);
  });
});
