import { describe, expect, it } from 'vitest';
import { decode, encode, withResourceVersionText } from './codec.js';

describe('stored JSON', () => {
  it.each([
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7' }, data: { x: '"metadata":{' } }],
    [{ kind: 'X', metadata: {} }],
    [{ spec: { template: { metadata: { labels: { a: 'b' } } } }, metadata: { name: 'late' } }],
  ])('puts metadata first and splices the resourceVersion in without parsing: %j', (obj) => {
    const json = encode(obj as any);
    expect(json.startsWith('{"metadata":{')).toBe(true);
    expect(json).not.toContain('"resourceVersion"');
    const text = withResourceVersionText(json, '42');
    expect(JSON.parse(text)).toEqual(decode(json, '42'));
    expect(JSON.parse(text).metadata.resourceVersion).toBe('42');
  });

  it('re-encodes JSON written before metadata came first', () => {
    const old = JSON.stringify({ apiVersion: 'v1', metadata: { name: 'a' } });
    expect(JSON.parse(withResourceVersionText(old, '3'))).toEqual({ apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '3' } });
  });
});
