import { describe, expect, it } from 'vitest';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from '../defaults/storage.js';
import { validatePersistentVolume, validatePersistentVolumeClaim, validateStorageClass } from './storage.js';

const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

function pvc(before?: (c: any) => void): any {
  const c: any = { metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } };
  before?.(c);
  defaultPersistentVolumeClaim(c);
  return c;
}

function pv(before?: (v: any) => void): any {
  const v: any = { metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' }, hostPath: { path: '/srv/pv1' } } };
  before?.(v);
  defaultPersistentVolume(v);
  return v;
}

function sc(before?: (s: any) => void): any {
  const s: any = { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' } };
  before?.(s);
  defaultStorageClass(s);
  return s;
}

describe('PersistentVolumeClaim', () => {
  it('accepts a defaulted claim', () => {
    expect(validatePersistentVolumeClaim(pvc())).toEqual([]);
  });
  it.each<[string, (c: any) => void, [string, string][]]>([
    ['no access modes', (c) => (c.spec.accessModes = []), [['FieldValueRequired', 'spec.accessModes']]],
    ['unknown access mode', (c) => (c.spec.accessModes = ['ReadWriteSometimes']), [['FieldValueNotSupported', 'spec.accessModes']]],
    ['ReadWriteOncePod with others', (c) => (c.spec.accessModes = ['ReadWriteOncePod', 'ReadOnlyMany']), [['FieldValueForbidden', 'spec.accessModes']]],
    ['no storage request', (c) => (c.spec.resources = {}), [['FieldValueRequired', 'spec.resources[storage]']]],
    ['zero storage', (c) => (c.spec.resources.requests.storage = '0'), [['FieldValueInvalid', 'spec.resources[storage]']]],
    ['bad storage class name', (c) => (c.spec.storageClassName = 'Fast_SSD'), [['FieldValueInvalid', 'spec.storageClassName']]],
    ['bad volume mode', (c) => (c.spec.volumeMode = 'Raw'), [['FieldValueNotSupported', 'spec.volumeMode']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validatePersistentVolumeClaim(pvc(before)))).toEqual(expected);
  });
  it('lets a bound claim grow but never shrink, and fixes the rest of the spec', () => {
    const bound = pvc((c) => (c.status = { phase: 'Bound' }));
    expect(validatePersistentVolumeClaim(pvc((c) => Object.assign(c, { status: { phase: 'Bound' }, spec: { ...c.spec, resources: { requests: { storage: '20Gi' } } } })), bound)).toEqual([]);
    expect(kinds(validatePersistentVolumeClaim(pvc((c) => Object.assign(c, { status: { phase: 'Bound' }, spec: { ...c.spec, resources: { requests: { storage: '5Gi' } } } })), bound))).toEqual([
      ['FieldValueForbidden', 'spec.resources.requests.storage'],
    ]);
    const errs = validatePersistentVolumeClaim(pvc((c) => Object.assign(c, { status: { phase: 'Bound' }, spec: { ...c.spec, storageClassName: 'other' } })), bound);
    expect(kinds(errs)).toEqual([['FieldValueForbidden', 'spec']]);
    expect(errs[0]!.message).toMatch(/^Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
    expect(validatePersistentVolumeClaim(pvc((c) => (c.spec.volumeName = 'pv1')), pvc())).toEqual([]);
  });
});

describe('PersistentVolume', () => {
  it('accepts a defaulted volume', () => {
    expect(validatePersistentVolume(pv())).toEqual([]);
  });
  it.each<[string, (v: any) => void, [string, string][]]>([
    ['no capacity', (v) => delete v.spec.capacity, [['FieldValueRequired', 'spec.capacity'], ['FieldValueNotSupported', 'spec.capacity']]],
    ['no source', (v) => delete v.spec.hostPath, [['FieldValueRequired', 'spec']]],
    ['two sources', (v) => (v.spec.nfs = { server: 'nfs', path: '/x' }), [['FieldValueForbidden', 'spec.nfs']]],
    ['bad reclaim policy', (v) => (v.spec.persistentVolumeReclaimPolicy = 'Keep'), [['FieldValueNotSupported', 'spec.persistentVolumeReclaimPolicy']]],
    ['local without node affinity', (v) => {
      delete v.spec.hostPath;
      v.spec.local = { path: '/mnt/disk' };
    }, [['FieldValueRequired', 'spec.nodeAffinity']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validatePersistentVolume(pv(before)))).toEqual(expected);
  });
  it('keeps the source immutable', () => {
    expect(kinds(validatePersistentVolume(pv((v) => (v.spec.hostPath.path = '/srv/other')), pv()))).toEqual([['FieldValueForbidden', 'spec.persistentvolumesource']]);
    expect(validatePersistentVolume(pv((v) => (v.spec.capacity.storage = '20Gi')), pv())).toEqual([]);
  });
});

describe('StorageClass', () => {
  it('accepts a defaulted class', () => {
    expect(validateStorageClass(sc())).toEqual([]);
  });
  it.each<[string, (s: any) => void, [string, string][]]>([
    ['no provisioner', (s) => delete s.provisioner, [['FieldValueRequired', 'provisioner']]],
    ['bad reclaim policy', (s) => (s.reclaimPolicy = 'Recycle'), [['FieldValueNotSupported', 'reclaimPolicy']]],
    ['bad binding mode', (s) => (s.volumeBindingMode = 'Later'), [['FieldValueNotSupported', 'volumeBindingMode']]],
    ['namespaced', (s) => (s.metadata.namespace = 'x'), [['FieldValueForbidden', 'metadata.namespace']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateStorageClass(sc(before)))).toEqual(expected);
  });
  it('refuses changes to parameters, provisioner, reclaim policy and binding mode', () => {
    const old = sc();
    expect(kinds(validateStorageClass(sc((s) => (s.parameters = { type: 'io2' })), old))).toEqual([['FieldValueForbidden', 'parameters']]);
    expect(kinds(validateStorageClass(sc((s) => (s.volumeBindingMode = 'WaitForFirstConsumer')), old))).toEqual([['FieldValueInvalid', 'volumeBindingMode']]);
    expect(validateStorageClass(sc((s) => (s.metadata.labels = { a: 'b' })), old)).toEqual([]);
  });
});
