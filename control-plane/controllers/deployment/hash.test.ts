import { describe, expect, it } from 'vitest';
import { canonicalJson, computeHash, equalIgnoreHash, fnv1a32, POD_TEMPLATE_HASH, safeEncode } from './hash.js';
import { template } from './fixtures.js';

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('of %j is the FNV-1a test vector', (s, expected) => {
    expect(fnv1a32(Buffer.from(s))).toBe(expected);
  });
});

describe('safeEncode', () => {
  it('maps digits onto upstream alphabet', () => {
    expect(safeEncode('0123456789')).toBe('456789bcdf');
  });
});

describe('computeHash', () => {
  it('is stable and made of the safe alphabet', () => {
    const h = computeHash(template('nginx:1'));
    expect(h).toBe(computeHash(template('nginx:1')));
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });

  it('does not depend on key order or on empty fields', () => {
    const a = template('nginx:1');
    const b = { spec: { containers: [{ image: 'nginx:1', name: 'web', resources: {}, env: [] }] }, metadata: { creationTimestamp: null, labels: { app: 'web' } } };
    expect(computeHash(b as any)).toBe(computeHash(a));
  });

  it('changes with the template', () => {
    expect(computeHash(template('nginx:2'))).not.toBe(computeHash(template('nginx:1')));
  });

  it('changes with the collision count', () => {
    const t = template('nginx:1');
    const hashes = new Set([computeHash(t), computeHash(t, 0), computeHash(t, 1), computeHash(t, 2)]);
    expect(hashes.size).toBe(4);
  });
});

describe('equalIgnoreHash', () => {
  it('ignores the pod-template-hash label', () => {
    const withHash = template('nginx:1');
    withHash.metadata!.labels![POD_TEMPLATE_HASH] = 'abc';
    expect(equalIgnoreHash(withHash, template('nginx:1'))).toBe(true);
  });

  it('sees other differences', () => {
    expect(equalIgnoreHash(template('nginx:1'), template('nginx:2'))).toBe(false);
    expect(equalIgnoreHash(template('nginx:1', { app: 'web' }), template('nginx:1', { app: 'web', tier: 'x' }))).toBe(false);
  });

  it('holds for a template that made a round trip through a typed client', () => {
    const roundTrip = JSON.parse(JSON.stringify({ ...template('nginx:1'), metadata: { labels: { app: 'web' }, creationTimestamp: null } }));
    roundTrip.spec.containers[0].resources = {};
    expect(equalIgnoreHash(roundTrip, template('nginx:1'))).toBe(true);
  });
});

describe('canonicalJson', () => {
  it('sorts keys and drops empties', () => {
    expect(canonicalJson({ b: 1, a: { z: null, y: [] }, c: [{ y: 2, x: 1 }] })).toBe('{"b":1,"c":[{"x":1,"y":2}]}');
  });
});
