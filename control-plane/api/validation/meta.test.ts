import { describe, expect, it } from 'vitest';
import { Path } from './field.js';
import {
  dns1035Name,
  labelName,
  pathSegment,
  subdomainName,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type MetaRules,
} from './meta.js';

const NAMESPACED: MetaRules = { namespaced: true, name: subdomainName };
const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

describe('validateObjectMeta', () => {
  it('accepts a valid namespaced object', () => {
    expect(validateObjectMeta({ name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { 'example.com/x': 'y' } }, NAMESPACED)).toEqual([]);
  });

  it.each<[string, any, MetaRules, [string, string][]]>([
    ['missing name', { namespace: 'default' }, NAMESPACED, [['FieldValueRequired', 'metadata.name']]],
    ['generateName instead of name', { generateName: 'web-', namespace: 'default' }, NAMESPACED, []],
    ['bad generateName', { generateName: 'Web-', namespace: 'default' }, NAMESPACED, [['FieldValueInvalid', 'metadata.generateName']]],
    ['upper-case name', { name: 'Foo', namespace: 'default' }, NAMESPACED, [['FieldValueInvalid', 'metadata.name']]],
    ['dotted name is a subdomain', { name: 'a.b', namespace: 'default' }, NAMESPACED, []],
    ['dotted namespace name', { name: 'a.b' }, { namespaced: false, name: labelName }, [['FieldValueInvalid', 'metadata.name']]],
    ['service name starting with a digit', { name: '1web', namespace: 'd' }, { namespaced: true, name: dns1035Name }, [['FieldValueInvalid', 'metadata.name']]],
    ['RBAC name with a colon', { name: 'system:admin' }, { namespaced: false, name: pathSegment }, []],
    ['RBAC name with a slash', { name: 'a/b' }, { namespaced: false, name: pathSegment }, [['FieldValueInvalid', 'metadata.name']]],
    ['missing namespace', { name: 'web' }, NAMESPACED, [['FieldValueRequired', 'metadata.namespace']]],
    ['namespace on a cluster-scoped kind', { name: 'web', namespace: 'x' }, { namespaced: false, name: subdomainName }, [['FieldValueForbidden', 'metadata.namespace']]],
    ['bad label key', { name: 'w', namespace: 'd', labels: { 'bad key': 'x' } }, NAMESPACED, [['FieldValueInvalid', 'metadata.labels']]],
    ['bad label value', { name: 'w', namespace: 'd', labels: { app: 'has space' } }, NAMESPACED, [['FieldValueInvalid', 'metadata.labels']]],
    ['bad annotation key', { name: 'w', namespace: 'd', annotations: { '-x': 'y' } }, NAMESPACED, [['FieldValueInvalid', 'metadata.annotations']]],
    ['annotations over 256KiB', { name: 'w', namespace: 'd', annotations: { big: 'x'.repeat(256 * 1024) } }, NAMESPACED, [['FieldValueTooLong', 'metadata.annotations']]],
    ['negative generation', { name: 'w', namespace: 'd', generation: -1 }, NAMESPACED, [['FieldValueInvalid', 'metadata.generation']]],
    ['unqualified finalizer', { name: 'w', namespace: 'd', finalizers: ['mine'] }, NAMESPACED, [['FieldValueInvalid', 'metadata.finalizers[0]']]],
    ['standard finalizer', { name: 'w', namespace: 'd', finalizers: ['foregroundDeletion', 'example.com/x'] }, NAMESPACED, []],
    ['owner without uid', { name: 'w', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r' }] }, NAMESPACED, [['FieldValueInvalid', 'metadata.ownerReferences.uid']]],
  ])('%s', (_, meta, rules, expected) => {
    expect(kinds(validateObjectMeta(meta, rules))).toEqual(expected);
  });

  it('words errors as upstream', () => {
    expect(validateObjectMeta({ name: 'Foo', namespace: 'd' }, NAMESPACED)[0]!.message).toBe(
      "Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
    expect(validateObjectMeta({ namespace: 'd' }, NAMESPACED)[0]!.message).toBe('Required value: name or generateName is required');
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = { name: 'web', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-02T03:04:05Z', generation: 2 };
  it('accepts label changes', () => {
    expect(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old)).toEqual([]);
  });
  it.each<[string, any, [string, string][]]>([
    ['renamed', { ...old, name: 'other' }, [['FieldValueInvalid', 'metadata.name']]],
    ['moved', { ...old, namespace: 'x' }, [['FieldValueInvalid', 'metadata.namespace']]],
    ['new uid', { ...old, uid: 'u2' }, [['FieldValueInvalid', 'metadata.uid']]],
    ['new creationTimestamp', { ...old, creationTimestamp: '2025-01-01T00:00:00Z' }, [['FieldValueInvalid', 'metadata.creationTimestamp']]],
    ['generation decremented', { ...old, generation: 1 }, [['FieldValueInvalid', 'metadata.generation']]],
  ])('%s', (_, meta, expected) => {
    expect(kinds(validateObjectMetaUpdate(meta, old))).toEqual(expected);
  });
  it('prints an immutable name and timestamp as upstream', () => {
    expect(validateObjectMetaUpdate({ ...old, name: 'other' }, old)[0]!.message).toBe('Invalid value: "other": field is immutable');
    expect(validateObjectMetaUpdate({ ...old, creationTimestamp: '2025-01-01T00:00:00Z' }, old)[0]!.message).toBe(
      'Invalid value: 2025-01-01 00:00:00 +0000 UTC: field is immutable',
    );
  });
  it('refuses new finalizers once deletion started', () => {
    const deleting = { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['a.io/x'] };
    const errs = validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y'] }, deleting);
    expect(errs).toEqual([
      { type: 'FieldValueForbidden', field: 'metadata.finalizers', message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}' },
    ]);
  });
});

describe('validateLabelSelector', () => {
  const p = Path.root('spec', 'selector');
  it.each<[string, any, [string, string][]]>([
    ['match labels', { matchLabels: { app: 'web' } }, []],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, [['FieldValueRequired', 'spec.selector.matchExpressions[0].values']]],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, [['FieldValueForbidden', 'spec.selector.matchExpressions[0].values']]],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Near' }] }, [['FieldValueInvalid', 'spec.selector.matchExpressions[0].operator']]],
    ['bad value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['b c'] }] }, [['FieldValueInvalid', 'spec.selector.matchExpressions[0].values[0]']]],
  ])('%s', (_, sel, expected) => {
    expect(kinds(validateLabelSelector(sel, p))).toEqual(expected);
  });
});
