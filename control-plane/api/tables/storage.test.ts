import { describe, expect, it } from 'vitest';
import { persistentVolumeClaimTable, persistentVolumeTable, storageClassTable } from './storage.js';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = { name: 'data', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' };

describe('persistentVolumeClaimTable', () => {
  it('has upstream columns', () => {
    expect(persistentVolumeClaimTable.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual([
      'Name',
      'Status',
      'Volume',
      'Capacity',
      'Access Modes',
      'StorageClass',
      'VolumeAttributesClass',
      'Age',
      'VolumeMode*',
    ]);
  });

  it.each([
    [
      'bound',
      { volumeName: 'pv-1', storageClassName: 'local', volumeMode: 'Filesystem', accessModes: ['ReadWriteOnce'] },
      { phase: 'Bound', capacity: { storage: '1024Mi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'] },
      {},
      ['Bound', 'pv-1', '1Gi', 'RWO,RWX', 'local', '<unset>', '60m', 'Filesystem'],
    ],
    ['pending', { storageClassName: 'local' }, { phase: 'Pending' }, {}, ['Pending', '', '', '', 'local', '<unset>', '60m', '<unset>']],
    [
      'beta class annotation wins, deletion shows Terminating',
      { volumeName: 'pv-2', storageClassName: 'local', volumeAttributesClassName: 'gold' },
      { phase: 'Bound' },
      { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' }, deletionTimestamp: '2024-05-01T11:59:00Z' },
      ['Terminating', 'pv-2', '0', '', 'old', 'gold', '60m', '<unset>'],
    ],
  ])('%s', (_n, spec, status, extra, cells) => {
    expect(persistentVolumeClaimTable.row({ metadata: { ...metadata, ...extra }, spec, status }, now)).toEqual(['data', ...cells]);
  });
});

describe('persistentVolumeTable', () => {
  it('prints a bound volume', () => {
    expect(persistentVolumeTable.columns.map((c) => c.name)).toEqual([
      'Name',
      'Capacity',
      'Access Modes',
      'Reclaim Policy',
      'Status',
      'Claim',
      'StorageClass',
      'VolumeAttributesClass',
      'Reason',
      'Age',
      'VolumeMode',
    ]);
    const pv = {
      metadata: { name: 'pv-1', creationTimestamp: metadata.creationTimestamp },
      spec: {
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'default', name: 'data' },
        storageClassName: 'local',
        volumeMode: 'Block',
      },
      status: { phase: 'Bound' },
    };
    expect(persistentVolumeTable.row(pv, now)).toEqual(['pv-1', '5Gi', 'ROX,RWOP', 'Retain', 'Bound', 'default/data', 'local', '<unset>', '', '60m', 'Block']);
  });
});

describe('storageClassTable', () => {
  it.each([
    [{}, {}, ['local', 'tugboat.dev/local', 'Delete', 'Immediate', false, '60m']],
    [
      { 'storageclass.kubernetes.io/is-default-class': 'true' },
      { reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true },
      ['local (default)', 'tugboat.dev/local', 'Retain', 'WaitForFirstConsumer', true, '60m'],
    ],
    [{ 'storageclass.beta.kubernetes.io/is-default-class': 'true' }, {}, ['local (default)', 'tugboat.dev/local', 'Delete', 'Immediate', false, '60m']],
    [{ 'storageclass.kubernetes.io/is-default-class': 'yes' }, {}, ['local', 'tugboat.dev/local', 'Delete', 'Immediate', false, '60m']],
  ])('annotations %j', (annotations, fields, cells) => {
    const sc = { metadata: { name: 'local', annotations, creationTimestamp: metadata.creationTimestamp }, provisioner: 'tugboat.dev/local', ...fields };
    expect(storageClassTable.row(sc, now)).toEqual(cells);
  });
});
