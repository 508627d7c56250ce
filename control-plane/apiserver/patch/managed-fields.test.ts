import { describe, expect, it } from 'vitest';
import { FieldSet } from './fieldset.js';
import { decodeManagedFields, encodeManagedFields, managerIdentifier, updateManagedFields, type ManagedEntry } from './managed-fields.js';
import objects from './testdata/objects.json' with { type: 'json' };

const T0 = new Date('2025-06-01T10:00:00Z');
const T1 = new Date('2025-06-01T10:05:00Z');

const deployment = () => {
  const d: any = structuredClone(objects.deployment);
  delete d.metadata.finalizers;
  return d;
};
const create = () => updateManagedFields({ newObj: deployment(), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T0, resetFields: ['status'] });
const entry = (obj: any, manager: string) => obj.metadata.managedFields.find((m: any) => m.manager === manager);

describe('updateManagedFields', () => {
  it('gives the creator every field it set, like upstream (no type meta, server metadata or status)', () => {
    const obj = create();
    expect(obj.metadata.managedFields).toHaveLength(1);
    const e = entry(obj, 'kubectl-client-side-apply');
    expect(e).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', time: '2025-06-01T10:00:00Z', fieldsType: 'FieldsV1' });
    const f = e.fieldsV1;
    expect(Object.keys(f)).toEqual(['f:metadata', 'f:spec']);
    expect(f['f:metadata']).toEqual({
      'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
      'f:labels': { '.': {}, 'f:app': {} },
    });
    expect(f['f:spec']['f:selector']).toEqual({});
    expect(f['f:spec']['f:strategy']).toEqual({ 'f:rollingUpdate': { 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} });
    const nginx = f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
    expect(nginx['.']).toEqual({});
    expect(nginx['f:ports']).toEqual({
      '.': {},
      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
      'k:{"containerPort":443,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} },
    });
    expect(nginx['f:args']).toEqual({});
    expect(nginx['f:resources']).toEqual({});
    expect(f['f:spec']['f:template']['f:spec']['f:volumes']['k:{"name":"data"}']).toEqual({ '.': {}, 'f:hostPath': { 'f:path': {}, 'f:type': {} }, 'f:name': {} });
  });

  it('moves changed fields to the manager that changed them (kubectl set image)', () => {
    const old = create();
    const next = structuredClone(old);
    next.spec.template.spec.containers[0].image = 'nginx:1.27';
    const obj = updateManagedFields({ oldObj: old, newObj: next, manager: 'kubectl-set', apiVersion: 'apps/v1', now: T1, resetFields: ['status'] });
    expect(entry(obj, 'kubectl-set')).toEqual({
      manager: 'kubectl-set',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2025-06-01T10:05:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } } } },
    });
    const csa = entry(obj, 'kubectl-client-side-apply');
    expect(csa.time).toBe('2025-06-01T10:00:00Z');
    expect(csa.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:image']).toBeUndefined();
    expect(obj.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl-client-side-apply', 'kubectl-set']);
  });

  it('leaves managedFields untouched by a write that changes nothing', () => {
    const old = create();
    const obj = updateManagedFields({ oldObj: old, newObj: structuredClone(old), manager: 'other', apiVersion: 'apps/v1', now: T1, resetFields: ['status'] });
    expect(obj).toEqual(old);
  });

  it('drops removed fields from every entry and entries left empty', () => {
    const old = create();
    const labelled = updateManagedFields({ oldObj: old, newObj: { ...old, metadata: { ...old.metadata, labels: { ...old.metadata.labels, x: 'y' } } }, manager: 'kubectl-label', apiVersion: 'apps/v1', now: T1 });
    expect(entry(labelled, 'kubectl-label').fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:x': {} } } });
    const unlabelled = updateManagedFields({ oldObj: labelled, newObj: { ...labelled, metadata: { ...labelled.metadata, labels: { app: 'web' } } }, manager: 'kubectl-label', apiVersion: 'apps/v1', now: T1 });
    expect(entry(unlabelled, 'kubectl-label')).toBeUndefined();
    const noLabels = structuredClone(unlabelled);
    delete noLabels.metadata.labels;
    const bare = updateManagedFields({ oldObj: unlabelled, newObj: noLabels, manager: 'x', apiVersion: 'apps/v1', now: T1 });
    expect(entry(bare, 'kubectl-client-side-apply').fieldsV1['f:metadata']['f:labels']).toBeUndefined();
  });

  it('tracks status writes as a separate subresource entry', () => {
    const old = create();
    const next = structuredClone(old);
    next.status.readyReplicas = 1;
    const obj = updateManagedFields({ oldObj: old, newObj: next, manager: 'kube-controller-manager', apiVersion: 'apps/v1', now: T1, subresource: 'status', resetFields: ['spec'] });
    expect(entry(obj, 'kube-controller-manager')).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:readyReplicas': {} } } });
  });

  it('uses managedFields sent with the write, and ignores undecodable ones', () => {
    const old = create();
    const cleared = updateManagedFields({
      oldObj: old,
      newObj: { ...old, metadata: { ...old.metadata, managedFields: [{ manager: 'me', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] } },
      manager: 'me',
      apiVersion: 'apps/v1',
      now: T1,
    });
    expect(cleared.metadata.managedFields).toEqual([{ manager: 'me', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }]);
    const garbage = updateManagedFields({ oldObj: old, newObj: { ...old, metadata: { ...old.metadata, managedFields: [{ nonsense: true }] } }, manager: 'me', apiVersion: 'apps/v1', now: T1 });
    expect(garbage.metadata.managedFields).toEqual(old.metadata.managedFields);
  });

  it('drops managedFields rather than failing when a list item lacks its key', () => {
    const old = create();
    const next = structuredClone(old);
    next.spec.template.spec.containers.push({ image: 'no-name' });
    expect(updateManagedFields({ oldObj: old, newObj: next, manager: 'x', apiVersion: 'apps/v1', now: T1 }).metadata.managedFields).toBeUndefined();
  });

  it('derives the schema from the object, so untyped objects are tracked too', () => {
    const cm = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { list: [1, 2], nested: { a: 1 } } };
    const obj = updateManagedFields({ newObj: cm, manager: 'me', apiVersion: 'example.com/v1', now: T0 });
    expect(obj.metadata.managedFields[0].fieldsV1).toEqual({ 'f:spec': { '.': {}, 'f:list': {}, 'f:nested': { '.': {}, 'f:a': {} } } });
  });
});

describe('managedFields encoding', () => {
  const e = (manager: string, operation: 'Apply' | 'Update', time?: string, subresource?: string): ManagedEntry => ({
    manager,
    operation,
    apiVersion: 'apps/v1',
    ...(time ? { time } : {}),
    ...(subresource ? { subresource } : {}),
    fields: new FieldSet().insert(['f:spec', 'f:replicas']),
  });

  it('keys managers like upstream: apply entries ignore the apiVersion', () => {
    expect(managerIdentifier(e('kubectl', 'Apply'))).toBe('{"manager":"kubectl","operation":"Apply"}');
    expect(managerIdentifier(e('kubectl', 'Update'))).toBe('{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1"}');
    expect(managerIdentifier(e('kcm', 'Update', undefined, 'status'))).toBe('{"manager":"kcm","operation":"Update","apiVersion":"apps/v1","subresource":"status"}');
  });

  it('orders entries Apply first, then by time and manager, dropping empty ones', () => {
    const managers = new Map(
      [e('b', 'Update', '2025-01-01T00:00:02Z'), e('a', 'Update', '2025-01-01T00:00:03Z'), e('z', 'Apply', '2025-01-01T00:00:09Z'), e('c', 'Update', '2025-01-01T00:00:02Z')].map((x) => [managerIdentifier(x), x]),
    );
    managers.set('empty', { ...e('empty', 'Update'), fields: new FieldSet() });
    expect(encodeManagedFields(managers).map((m) => m.manager)).toEqual(['z', 'b', 'c', 'a']);
  });

  it('round-trips through decoding', () => {
    const managers = new Map([e('kubectl', 'Apply', '2025-01-01T00:00:00Z'), e('kcm', 'Update', undefined, 'status')].map((x) => [managerIdentifier(x), x]));
    const encoded = encodeManagedFields(managers);
    expect(encodeManagedFields(decodeManagedFields(encoded))).toEqual(encoded);
  });

  it.each([
    [[{ operation: 'Patch', apiVersion: 'v1', fieldsType: 'FieldsV1' }], 'operation must be `Apply` or `Update`'],
    [[{ operation: 'Update', fieldsType: 'FieldsV1' }], 'apiVersion must not be empty'],
    [[{ operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }], 'invalid fieldsType "FieldsV2" in managed fields entry 0'],
    [[{ operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { nope: {} } }], 'unknown path element "nope"'],
    [{}, 'managedFields must be a list'],
  ])('refuses to decode %j', (list, message) => {
    expect(() => decodeManagedFields(list)).toThrow(message);
  });
});
