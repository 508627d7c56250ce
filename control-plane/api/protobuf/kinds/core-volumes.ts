/**
 * core/v1 Volume: a name and one of the VolumeSource kinds (inlined in JSON), with every volume
 * source a pod template may carry, including the PersistentVolumeClaim template of ephemeral volumes.
 */
import { always, f, inline, list, message, pointer } from './fields.js';
import {
  KEY_TO_PATH,
  LOCAL_OBJECT_REFERENCE,
  OBJECT_FIELD_SELECTOR,
  RESOURCE_FIELD_SELECTOR,
  TYPED_LOCAL_OBJECT_REFERENCE,
  TYPED_OBJECT_REFERENCE,
} from './core-refs.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta.js';

const DOWNWARD_API_FILE = message({
  1: f('path', 'string'),
  2: f('fieldRef', OBJECT_FIELD_SELECTOR),
  3: f('resourceFieldRef', RESOURCE_FIELD_SELECTOR),
  4: pointer('mode', 'int32'),
});

/** ConfigMapProjection and SecretProjection. */
const OBJECT_PROJECTION = message({
  1: inline('localObjectReference', LOCAL_OBJECT_REFERENCE),
  2: list('items', KEY_TO_PATH),
  4: pointer('optional', 'bool'),
});

const VOLUME_PROJECTION = message({
  1: f('secret', OBJECT_PROJECTION),
  2: f('downwardAPI', message({ 1: list('items', DOWNWARD_API_FILE) })),
  3: f('configMap', OBJECT_PROJECTION),
  4: f('serviceAccountToken', message({ 1: f('audience', 'string'), 2: pointer('expirationSeconds', 'int64'), 3: f('path', 'string') })),
  5: f(
    'clusterTrustBundle',
    message({
      1: pointer('name', 'string'),
      2: pointer('signerName', 'string'),
      3: f('labelSelector', LABEL_SELECTOR),
      5: pointer('optional', 'bool'),
      4: f('path', 'string'),
    }),
  ),
  6: f(
    'podCertificate',
    message({
      1: f('signerName', 'string'),
      2: f('keyType', 'string'),
      3: pointer('maxExpirationSeconds', 'int32'),
      4: f('credentialBundlePath', 'string'),
      5: f('keyPath', 'string'),
      6: f('certificateChainPath', 'string'),
      7: f('userAnnotations', 'stringMap'),
    }),
  ),
});

export const PERSISTENT_VOLUME_CLAIM_SPEC = message({
  1: list('accessModes', 'string'),
  4: f('selector', LABEL_SELECTOR),
  2: f('resources', message({ 1: f('limits', 'quantityMap'), 2: f('requests', 'quantityMap') })),
  3: f('volumeName', 'string'),
  5: pointer('storageClassName', 'string'),
  6: pointer('volumeMode', 'string'),
  7: f('dataSource', TYPED_LOCAL_OBJECT_REFERENCE),
  8: f('dataSourceRef', TYPED_OBJECT_REFERENCE),
  9: pointer('volumeAttributesClassName', 'string'),
});

const DISK = (idField: string) => message({ 1: f(idField, 'string'), 2: f('fsType', 'string'), 3: f('partition', 'int32'), 4: f('readOnly', 'bool') });

const VOLUME_SOURCE = message({
  1: f('hostPath', message({ 1: f('path', 'string'), 2: pointer('type', 'string') })),
  2: f('emptyDir', message({ 1: f('medium', 'string'), 2: f('sizeLimit', 'quantity') })),
  3: f('gcePersistentDisk', DISK('pdName')),
  4: f('awsElasticBlockStore', DISK('volumeID')),
  5: f('gitRepo', message({ 1: f('repository', 'string'), 2: f('revision', 'string'), 3: f('directory', 'string') })),
  6: f(
    'secret',
    message({ 1: f('secretName', 'string'), 2: list('items', KEY_TO_PATH), 3: pointer('defaultMode', 'int32'), 4: pointer('optional', 'bool') }),
  ),
  7: f('nfs', message({ 1: f('server', 'string'), 2: f('path', 'string'), 3: f('readOnly', 'bool') })),
  8: f(
    'iscsi',
    message({
      1: f('targetPortal', 'string'),
      2: f('iqn', 'string'),
      3: always('lun', 'int32'),
      4: f('iscsiInterface', 'string'),
      5: f('fsType', 'string'),
      6: f('readOnly', 'bool'),
      7: list('portals', 'string'),
      8: f('chapAuthDiscovery', 'bool'),
      11: f('chapAuthSession', 'bool'),
      10: f('secretRef', LOCAL_OBJECT_REFERENCE),
      12: pointer('initiatorName', 'string'),
    }),
  ),
  9: f('glusterfs', message({ 1: f('endpoints', 'string'), 2: f('path', 'string'), 3: f('readOnly', 'bool') })),
  10: f('persistentVolumeClaim', message({ 1: f('claimName', 'string'), 2: f('readOnly', 'bool') })),
  11: f(
    'rbd',
    message({
      1: list('monitors', 'string'),
      2: f('image', 'string'),
      3: f('fsType', 'string'),
      4: f('pool', 'string'),
      5: f('user', 'string'),
      6: f('keyring', 'string'),
      7: f('secretRef', LOCAL_OBJECT_REFERENCE),
      8: f('readOnly', 'bool'),
    }),
  ),
  12: f(
    'flexVolume',
    message({ 1: f('driver', 'string'), 2: f('fsType', 'string'), 3: f('secretRef', LOCAL_OBJECT_REFERENCE), 4: f('readOnly', 'bool'), 5: f('options', 'stringMap') }),
  ),
  13: f('cinder', message({ 1: f('volumeID', 'string'), 2: f('fsType', 'string'), 3: f('readOnly', 'bool'), 4: f('secretRef', LOCAL_OBJECT_REFERENCE) })),
  14: f(
    'cephfs',
    message({
      1: list('monitors', 'string'),
      2: f('path', 'string'),
      3: f('user', 'string'),
      4: f('secretFile', 'string'),
      5: f('secretRef', LOCAL_OBJECT_REFERENCE),
      6: f('readOnly', 'bool'),
    }),
  ),
  15: f('flocker', message({ 1: f('datasetName', 'string'), 2: f('datasetUUID', 'string') })),
  16: f('downwardAPI', message({ 1: list('items', DOWNWARD_API_FILE), 2: pointer('defaultMode', 'int32') })),
  17: f(
    'fc',
    message({ 1: list('targetWWNs', 'string'), 2: pointer('lun', 'int32'), 3: f('fsType', 'string'), 4: f('readOnly', 'bool'), 5: list('wwids', 'string') }),
  ),
  18: f('azureFile', message({ 1: f('secretName', 'string'), 2: f('shareName', 'string'), 3: f('readOnly', 'bool') })),
  19: f(
    'configMap',
    message({
      1: inline('localObjectReference', LOCAL_OBJECT_REFERENCE),
      2: list('items', KEY_TO_PATH),
      3: pointer('defaultMode', 'int32'),
      4: pointer('optional', 'bool'),
    }),
  ),
  20: f(
    'vsphereVolume',
    message({ 1: f('volumePath', 'string'), 2: f('fsType', 'string'), 3: f('storagePolicyName', 'string'), 4: f('storagePolicyID', 'string') }),
  ),
  21: f(
    'quobyte',
    message({
      1: f('registry', 'string'),
      2: f('volume', 'string'),
      3: f('readOnly', 'bool'),
      4: f('user', 'string'),
      5: f('group', 'string'),
      6: f('tenant', 'string'),
    }),
  ),
  22: f(
    'azureDisk',
    message({
      1: f('diskName', 'string'),
      2: f('diskURI', 'string'),
      3: pointer('cachingMode', 'string'),
      4: pointer('fsType', 'string'),
      5: pointer('readOnly', 'bool'),
      6: pointer('kind', 'string'),
    }),
  ),
  23: f('photonPersistentDisk', message({ 1: f('pdID', 'string'), 2: f('fsType', 'string') })),
  26: f('projected', message({ 1: list('sources', VOLUME_PROJECTION), 2: pointer('defaultMode', 'int32') })),
  24: f('portworxVolume', message({ 1: f('volumeID', 'string'), 2: f('fsType', 'string'), 3: f('readOnly', 'bool') })),
  25: f(
    'scaleIO',
    message({
      1: f('gateway', 'string'),
      2: f('system', 'string'),
      3: f('secretRef', LOCAL_OBJECT_REFERENCE),
      4: f('sslEnabled', 'bool'),
      5: f('protectionDomain', 'string'),
      6: f('storagePool', 'string'),
      7: f('storageMode', 'string'),
      8: f('volumeName', 'string'),
      9: f('fsType', 'string'),
      10: f('readOnly', 'bool'),
    }),
  ),
  27: f(
    'storageos',
    message({
      1: f('volumeName', 'string'),
      2: f('volumeNamespace', 'string'),
      3: f('fsType', 'string'),
      4: f('readOnly', 'bool'),
      5: f('secretRef', LOCAL_OBJECT_REFERENCE),
    }),
  ),
  28: f(
    'csi',
    message({
      1: f('driver', 'string'),
      2: pointer('readOnly', 'bool'),
      3: pointer('fsType', 'string'),
      4: f('volumeAttributes', 'stringMap'),
      5: f('nodePublishSecretRef', LOCAL_OBJECT_REFERENCE),
    }),
  ),
  29: f('ephemeral', message({ 1: f('volumeClaimTemplate', message({ 1: f('metadata', OBJECT_META), 2: f('spec', PERSISTENT_VOLUME_CLAIM_SPEC) })) })),
  30: f('image', message({ 1: f('reference', 'string'), 2: f('pullPolicy', 'string') })),
});

export const VOLUME = message({ 1: f('name', 'string'), 2: inline('volumeSource', VOLUME_SOURCE) });
