import { describe, expect, it } from 'vitest';
import { FieldSet, FieldsV1Error, comparePathElements, keyElement, pathString, type Path } from './fieldset.js';

// A kube-controller-manager style entry, as upstream encodes it.
const upstreamFieldsV1 = {
  'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"u1"}': {} } },
  'f:spec': {
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
          },
        },
      },
    },
  },
  'f:status': { 'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:status': {} } } },
};

const set = (...paths: Path[]) => paths.reduce((s, p) => s.insert(p), new FieldSet());

describe('FieldSet', () => {
  it('round-trips upstream FieldsV1 exactly', () => {
    const decoded = FieldSet.fromFieldsV1(upstreamFieldsV1);
    expect(JSON.stringify(decoded.toFieldsV1())).toBe(JSON.stringify(upstreamFieldsV1));
    expect(decoded.has(['f:metadata', 'f:annotations'])).toBe(true);
    expect(decoded.has(['f:metadata'])).toBe(false);
    expect(decoded.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image'])).toBe(true);
  });

  it('encodes keys in upstream order: fields, then keys, then values; "." first', () => {
    const s = set(['f:b'], ['f:a', 'f:x'], ['f:a'], ['f:list', 'v:"z"'], ['f:list', 'v:"a"'], ['f:list', 'k:{"n":2}'], ['f:list', 'k:{"n":10}'], ['f:B']);
    expect(JSON.stringify(s.toFieldsV1())).toBe('{"f:B":{},"f:a":{".":{},"f:x":{}},"f:b":{},"f:list":{"k:{\\"n\\":2}":{},"k:{\\"n\\":10}":{},"v:\\"a\\"":{},"v:\\"z\\"":{}}}');
  });

  it.each([
    ['f:a', 'f:b', -1],
    ['f:z', 'k:{"a":1}', -1],
    ['k:{"a":2}', 'k:{"a":10}', -1],
    ['k:{"a":"x"}', 'k:{"a":1}', 1],
    ['k:{"a":1}', 'k:{"a":1,"b":1}', -1],
    ['v:"a"', 'v:1', 1],
    ['v:true', 'v:"x"', 1],
    ['i:2', 'i:10', -1],
  ])('orders %s against %s', (a, b, sign) => {
    expect(Math.sign(comparePathElements(a, b))).toBe(sign);
  });

  it('computes union, difference and intersection', () => {
    const a = set(['f:spec', 'f:replicas'], ['f:spec', 'f:paused'], ['f:metadata', 'f:labels', 'f:app']);
    const b = set(['f:spec', 'f:replicas'], ['f:status', 'f:replicas']);
    expect(a.union(b).paths().map(pathString)).toEqual(['.metadata.labels.app', '.spec.paused', '.spec.replicas', '.status.replicas']);
    expect(a.difference(b).paths().map(pathString)).toEqual(['.metadata.labels.app', '.spec.paused']);
    expect(a.intersection(b).paths().map(pathString)).toEqual(['.spec.replicas']);
    expect(a.intersection(new FieldSet()).isEmpty()).toBe(true);
  });

  it('lists members of a level before deeper ones, like upstream iteration', () => {
    const s = set(['f:spec', 'f:template', 'f:x'], ['f:spec', 'f:replicas'], ['f:apiVersion']);
    expect(s.paths().map(pathString)).toEqual(['.apiVersion', '.spec.replicas', '.spec.template.x']);
  });

  it('filters subtrees', () => {
    const s = set(['f:status', 'f:replicas'], ['f:spec', 'f:replicas']);
    expect(s.filter((p) => p.length === 1 && p[0] === 'f:status').paths()).toEqual([['f:spec', 'f:replicas']]);
  });

  it.each([
    [['f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image'], '.spec.containers[name="nginx"].image'],
    [['f:spec', 'f:ports', keyElement({ protocol: 'TCP', containerPort: 80 })], '.spec.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a"'], '.metadata.finalizers[="a"]'],
    [['f:list', 'i:3'], '.list[3]'],
  ])('prints %j as %s', (path, want) => {
    expect(pathString(path)).toBe(want);
  });

  it.each([[null], ['x'], [[]], [{ 'f:a': 1 }], [{ bogus: {} }], [{ 'k:notjson': {} }], [{ 'k:[1]': {} }], [{ 'v:{': {} }], [{ 'i:x': {} }]])('refuses %j as FieldsV1', (doc) => {
    expect(() => FieldSet.fromFieldsV1(doc)).toThrow(FieldsV1Error);
  });
});
