import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import { MAX_JSON_PATCH_OPERATIONS, applyJsonPatch } from './json-patch.js';
import bodies from './testdata/kubectl-bodies.json' with { type: 'json' };
import objects from './testdata/objects.json' with { type: 'json' };

function failure(doc: Record<string, unknown>, ops: unknown): StatusError {
  try {
    applyJsonPatch(doc, ops);
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('applyJsonPatch', () => {
  const doc = { foo: 'bar', list: ['a', 'b'], obj: { 'a/b': 1, 'm~n': 2, nested: { x: 1 } } };

  it.each([
    ['add a member', [{ op: 'add', path: '/baz', value: 'qux' }], { ...doc, baz: 'qux' }],
    ['add replaces an existing member', [{ op: 'add', path: '/foo', value: 1 }], { ...doc, foo: 1 }],
    ['add inserts into a list', [{ op: 'add', path: '/list/1', value: 'x' }], { ...doc, list: ['a', 'x', 'b'] }],
    ['add appends with -', [{ op: 'add', path: '/list/-', value: 'c' }], { ...doc, list: ['a', 'b', 'c'] }],
    ['add at the list end index', [{ op: 'add', path: '/list/2', value: 'c' }], { ...doc, list: ['a', 'b', 'c'] }],
    ['remove a member', [{ op: 'remove', path: '/foo' }], { list: doc.list, obj: doc.obj }],
    ['remove a list item', [{ op: 'remove', path: '/list/0' }], { ...doc, list: ['b'] }],
    ['replace with ~1 escape', [{ op: 'replace', path: '/obj/a~1b', value: 9 }], { ...doc, obj: { ...doc.obj, 'a/b': 9 } }],
    ['replace with ~0 escape', [{ op: 'replace', path: '/obj/m~0n', value: 9 }], { ...doc, obj: { ...doc.obj, 'm~n': 9 } }],
    ['move', [{ op: 'move', from: '/foo', path: '/obj/foo' }], { list: doc.list, obj: { ...doc.obj, foo: 'bar' } }],
    ['move within a list', [{ op: 'move', from: '/list/0', path: '/list/1' }], { ...doc, list: ['b', 'a'] }],
    ['copy', [{ op: 'copy', from: '/obj/nested', path: '/copy' }], { ...doc, copy: { x: 1 } }],
    ['test then replace', [{ op: 'test', path: '/foo', value: 'bar' }, { op: 'replace', path: '/foo', value: 'baz' }], { ...doc, foo: 'baz' }],
    ['test a structure', [{ op: 'test', path: '/obj/nested', value: { x: 1 } }], doc],
    ['no operations', [], doc],
  ])('%s', (_name, ops, want) => {
    expect(applyJsonPatch(doc, ops)).toEqual(want);
  });

  it('treats __proto__ as an ordinary member name', () => {
    const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('copies are independent of their source', () => {
    const out = applyJsonPatch(doc, [{ op: 'copy', from: '/obj/nested', path: '/copy' }, { op: 'replace', path: '/copy/x', value: 2 }]);
    expect(out.obj.nested).toEqual({ x: 1 });
    expect(doc.obj.nested).toEqual({ x: 1 });
  });

  it.each(['rollout-undo', 'rollout-undo-to-rev1'] as const)('applies kubectl %s to a Deployment', (name) => {
    const ops = bodies[name].body as any[];
    const out = applyJsonPatch(objects.deployment, ops);
    expect(out.spec.template).toEqual(ops[0].value);
    expect(out.metadata.annotations).toEqual(ops[1].value);
    expect(out.spec.replicas).toBe(2);
    expect(objects.deployment.spec.template.spec.containers).toHaveLength(3); // input untouched
  });

  it.each([
    ['a missing member', [{ op: 'remove', path: '/nope' }], 'remove operation does not apply: doc is missing path: "/nope": missing value'],
    ['a missing parent', [{ op: 'add', path: '/a/b', value: 1 }], 'add operation does not apply: doc is missing path: "/a/b": missing value'],
    ['replace of a missing member', [{ op: 'replace', path: '/metadata/annotations', value: {} }], 'replace operation does not apply: doc is missing path: "/metadata/annotations": missing value'],
    ['an index out of range', [{ op: 'add', path: '/list/5', value: 1 }], 'add operation does not apply: index out of range: "/list/5"'],
    ['a non-numeric index', [{ op: 'remove', path: '/list/x' }], 'remove operation does not apply: doc is missing path: "/list/x": missing value'],
    ['a failed test', [{ op: 'test', path: '/foo', value: 'nope' }], 'testing value /foo failed: test failed'],
    ['an unknown op', [{ op: 'frobnicate', path: '/foo' }], 'Unexpected kind: frobnicate'],
    ['a missing op', [{ path: '/foo' }], 'Unexpected kind: undefined'],
    ['a path without a slash', [{ op: 'remove', path: 'foo' }], 'remove operation failed to decode path'],
    ['a non-string path', [{ op: 'add', path: 5, value: 1 }], 'add operation failed to decode path'],
    ['a move into its own child', [{ op: 'move', from: '/obj', path: '/obj/nested/x' }], 'move operation does not apply: "/obj/nested/x" is a child of "/obj"'],
    ['a copy from nowhere', [{ op: 'copy', from: '/nope', path: '/x' }], 'copy operation does not apply: doc is missing path: "/nope": missing value'],
  ])('refuses %s with upstream 422', (_name, ops, reason) => {
    const err = failure(doc, ops);
    expect(err).toMatchObject({ code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' });
    expect((err.cause as Error).message).toBe(reason);
  });

  it('leaves the target untouched when a later operation fails', () => {
    const target = structuredClone(doc);
    failure(target, [{ op: 'replace', path: '/foo', value: 'x' }, { op: 'test', path: '/foo', value: 'y' }]);
    expect(target).toEqual(doc);
  });

  it.each([
    ['an object', { op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['null', null, 'json: cannot unmarshal null into Go value of type jsonpatch.Patch'],
    ['a string', 'x', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    ['a list of strings', ['x'], 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
    ['a list of lists', [[]], 'json: cannot unmarshal array into Go value of type jsonpatch.Operation'],
  ])('refuses %s as a patch with 400', (_name, ops, message) => {
    expect(failure(doc, ops)).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it('refuses more operations than upstream allows with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/foo', value: 'bar' }));
    expect(failure(doc, ops)).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' });
  });
});
