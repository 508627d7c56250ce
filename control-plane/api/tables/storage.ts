/** Printers of storage kinds: PersistentVolume, PersistentVolumeClaim, StorageClass. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { accessModes, quantityString } from './format.js';

/** The beta annotation takes precedence over spec.storageClassName, as upstream's helpers read it. */
const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

function storageClassOf(obj: any): string {
  const annotations = obj.metadata?.annotations ?? {};
  if (Object.hasOwn(annotations, BETA_STORAGE_CLASS)) return annotations[BETA_STORAGE_CLASS];
  return obj.spec?.storageClassName ?? '';
}

/** The phase, or `Terminating` once deletion was requested. */
const phaseOf = (obj: any): string => (obj.metadata?.deletionTimestamp != null ? 'Terminating' : (obj.status?.phase ?? ''));

export const persistentVolumeTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Capacity', 'string', DOC['PersistentVolumeSpec.capacity']),
    column('Access Modes', 'string', DOC['PersistentVolumeSpec.accessModes']),
    column('Reclaim Policy', 'string', DOC['PersistentVolumeSpec.persistentVolumeReclaimPolicy']),
    column('Status', 'string', DOC['PersistentVolumeStatus.phase']),
    column('Claim', 'string', DOC['PersistentVolumeSpec.claimRef']),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', DOC['PersistentVolumeStatus.reason']),
    AGE_COLUMN,
    column('VolumeMode', 'string', DOC['PersistentVolumeSpec.volumeMode'], 1),
  ],
  row(pv, now) {
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
    return [
      nameOf(pv),
      quantityString(pv.spec?.capacity?.storage),
      accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      phaseOf(pv),
      claim,
      storageClassOf(pv),
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      ageOf(pv, now),
      pv.spec?.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', DOC['PersistentVolumeClaimStatus.phase']),
    column('Volume', 'string', DOC['PersistentVolumeClaimSpec.volumeName']),
    column('Capacity', 'string', DOC['PersistentVolumeClaimStatus.capacity']),
    column('Access Modes', 'string', DOC['PersistentVolumeClaimStatus.accessModes']),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    column('VolumeMode', 'string', DOC['PersistentVolumeClaimSpec.volumeMode'], 1),
  ],
  row(pvc, now) {
    const bound = !!pvc.spec?.volumeName;
    return [
      nameOf(pvc),
      phaseOf(pvc),
      pvc.spec?.volumeName ?? '',
      bound ? quantityString(pvc.status?.capacity?.storage) : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClassOf(pvc),
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      ageOf(pvc, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
};

export const storageClassTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Provisioner', 'string', DOC['StorageClass.provisioner']),
    column('ReclaimPolicy', 'string', DOC['StorageClass.reclaimPolicy']),
    column('VolumeBindingMode', 'string', DOC['StorageClass.volumeBindingMode']),
    column('AllowVolumeExpansion', 'string', DOC['StorageClass.allowVolumeExpansion']),
    AGE_COLUMN,
  ],
  row(sc, now) {
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault = annotations[DEFAULT_CLASS] === 'true' || annotations[BETA_DEFAULT_CLASS] === 'true';
    return [
      `${nameOf(sc)}${isDefault ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion === true,
      ageOf(sc, now),
    ];
  },
};
