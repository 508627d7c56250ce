import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import { applyMergePatch } from './json-merge-patch.js';
import bodies from './testdata/kubectl-bodies.json' with { type: 'json' };
import objects from './testdata/objects.json' with { type: 'json' };

describe('applyMergePatch', () => {
  // RFC 7386 appendix A, one row per example.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, want) => {
    expect(applyMergePatch(target, patch)).toEqual(want);
  });

  it('applies kubectl scale to a Scale', () => {
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default', resourceVersion: '7' }, spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } };
    expect(applyMergePatch(scale, bodies.scale.body)).toEqual({ ...scale, spec: { replicas: 3 } });
  });

  it('applies kubectl label to a Deployment without touching the rest', () => {
    const out = applyMergePatch(objects.deployment, bodies['label-merge'].body);
    expect(out.metadata.labels).toEqual({ app: 'web', x: 'y' });
    expect({ ...out, metadata: { ...out.metadata, labels: objects.deployment.metadata.labels } }).toEqual(objects.deployment);
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const out = applyMergePatch({ a: 1 }, JSON.parse('{"__proto__":{"polluted":true},"constructor":{"x":1}}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['a', '__proto__', 'constructor']);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('does not modify its inputs', () => {
    const target = { a: { b: 1 }, l: [1] };
    const patch = { a: { c: 2 }, l: [2] };
    applyMergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 }, l: [1] });
    expect(patch).toEqual({ a: { c: 2 }, l: [2] });
  });

  it.each([[null], [[{ op: 'add' }]], ['x'], [5]])('refuses %j with 400', (patch) => {
    let err: unknown;
    try {
      applyMergePatch({ a: 1 }, patch);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect(err).toMatchObject({ code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
  });
});
