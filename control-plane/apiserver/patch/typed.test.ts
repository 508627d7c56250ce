import { describe, expect, it } from 'vitest';
import { FieldSet, pathString } from './fieldset.js';
import { compareObjects, mergeApplied, removePaths, toFieldSet, withNamedFields, type SchemaNode } from './typed.js';

const podSpec: SchemaNode = { type: { kind: 'object', name: 'V1PodSpec' } };
const names = (containers: unknown) => (containers as { name: string }[]).map((c) => c.name);
const c = (...list: string[]) => ({ containers: list.map((name) => ({ name, image: `${name}:1` })) });

describe('mergeApplied', () => {
  it.each([
    ['appends new items', ['a', 'b'], ['a', 'c'], ['a', 'b', 'c']],
    ['follows the applied order for shared items', ['a', 'b'], ['b', 'a'], ['b', 'a']],
    ['keeps live-only items where they were', ['x', 'a', 'y', 'b'], ['b', 'a'], ['x', 'y', 'b', 'a']],
    ['places new items after the item they follow', ['a', 'b'], ['a', 'n', 'b'], ['a', 'n', 'b']],
    ['keeps live items when the applied list is empty', ['a'], [], ['a']],
  ])('%s', (_name, live, applied, want) => {
    expect(names((mergeApplied(c(...live), c(...applied), podSpec) as any).containers)).toEqual(want);
  });

  it('merges items by key and applied values win at leaves', () => {
    const live = { containers: [{ name: 'a', image: 'old', imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] }] };
    const applied = { containers: [{ name: 'a', image: 'new', ports: [{ containerPort: 80, hostPort: 8080 }] }] };
    expect(mergeApplied(live, applied, podSpec)).toEqual({
      containers: [{ name: 'a', image: 'new', imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http', hostPort: 8080 }] }],
    });
  });

  it('replaces atomic lists and structs, unions sets, unsets nulls', () => {
    const meta: SchemaNode = { type: { kind: 'object', name: 'V1ObjectMeta' } };
    expect(mergeApplied({ finalizers: ['a', 'b'], labels: { x: '1', y: '2' } }, { finalizers: ['c', 'a'], labels: { y: null } }, meta)).toEqual({ finalizers: ['c', 'a', 'b'], labels: { x: '1' } });
    expect(mergeApplied({ args: ['1', '2'] }, { args: ['3'] }, { type: { kind: 'object', name: 'V1Container' } })).toEqual({ args: ['3'] });
    const spec: SchemaNode = { type: { kind: 'object', name: 'V1DeploymentSpec' } };
    expect(mergeApplied({ selector: { matchLabels: { a: '1' }, matchExpressions: [] } }, { selector: { matchLabels: { b: '2' } } }, spec)).toEqual({ selector: { matchLabels: { b: '2' } } });
  });
});

describe('toFieldSet', () => {
  it('records leaves, list items, map keys and empty structs as upstream does', () => {
    const spec = { containers: [{ name: 'a', resources: {}, ports: [{ containerPort: 53, protocol: 'UDP' }], args: ['x'] }], nodeSelector: { disk: 'ssd' }, tolerations: [] };
    expect(toFieldSet(spec, podSpec).paths().map(pathString)).toEqual([
      '.tolerations',
      '.containers[name="a"]',
      '.containers[name="a"].args',
      '.containers[name="a"].name',
      '.containers[name="a"].resources',
      '.containers[name="a"].ports[containerPort=53,protocol="UDP"]',
      '.containers[name="a"].ports[containerPort=53,protocol="UDP"].containerPort',
      '.containers[name="a"].ports[containerPort=53,protocol="UDP"].protocol',
      '.nodeSelector.disk',
    ]);
  });
});

describe('compareObjects', () => {
  it('reports added, modified and removed leaves and items', () => {
    const before = { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }], hostname: 'h' };
    const after = { containers: [{ name: 'a', image: '2' }, { name: 'c', image: '1' }], subdomain: 's' };
    const cmp = compareObjects(before, after, podSpec);
    expect(cmp.modified.paths().map(pathString)).toEqual(['.containers[name="a"].image']);
    expect(cmp.added.paths().map(pathString)).toEqual(['.subdomain', '.containers[name="c"]', '.containers[name="c"].image', '.containers[name="c"].name']);
    expect(cmp.removed.paths().map(pathString)).toEqual(['.hostname', '.containers[name="b"]', '.containers[name="b"].image', '.containers[name="b"].name']);
  });
});

describe('removePaths and withNamedFields', () => {
  it('removing a struct field named on the way removes its subtree', () => {
    const spec = { containers: [{ name: 'a', securityContext: { runAsUser: 1, privileged: true } }] };
    const set = new FieldSet().insert(['f:containers', 'k:{"name":"a"}', 'f:securityContext', 'f:runAsUser']);
    expect(removePaths(spec, set, podSpec)).toEqual({ containers: [{ name: 'a', securityContext: { privileged: true } }] });
    const named = withNamedFields(set, podSpec);
    expect(named.has(['f:containers'])).toBe(true);
    expect(named.has(['f:containers', 'k:{"name":"a"}'])).toBe(false);
    expect(named.has(['f:containers', 'k:{"name":"a"}', 'f:securityContext'])).toBe(true);
    const item = new FieldSet().insert(['f:containers', 'k:{"name":"a"}']);
    expect(removePaths(spec, item, podSpec)).toEqual({ containers: [] });
  });
});
