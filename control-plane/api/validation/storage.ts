/**
 * PersistentVolumes, PersistentVolumeClaims and StorageClasses as upstream validates them: access
 * modes, capacity and requested storage, one volume source, reclaim and binding modes, and what
 * may change after creation (a claim's spec is fixed except that a bound claim may grow).
 */
import { dns1123Subdomain } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, forbidden, invalid, invalidEach, notSupported, required, tooLong } from './field.js';
import { deepEqual, isSet, list, record, sortedEntries, text } from './json.js';
import { describeChanges } from './diff.js';
import {
  IMMUTABLE_MESSAGE,
  type MetaRules,
  immutable,
  subdomainName,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta.js';
import { validateNodeSelector } from './pod-spec.js';
import { quantityValue, shownQuantity, validateResourceQuantity } from './resources.js';
import { validatePathNoBacksteps } from './volumes.js';

const SPEC = Path.root('spec');
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
/** PersistentVolumeSource fields, in the order upstream checks them (reported name when different). */
const PV_SOURCES: [string, string?][] = [
  ['hostPath'], ['gcePersistentDisk'], ['awsElasticBlockStore'], ['glusterfs'], ['flocker'], ['nfs'], ['rbd'], ['quobyte'],
  ['cephfs', 'cephFS'], ['iscsi'], ['cinder'], ['fc'], ['flexVolume'], ['azureFile'], ['vsphereVolume'], ['photonPersistentDisk'],
  ['portworxVolume'], ['azureDisk'], ['scaleIO'], ['local'], ['storageos'], ['csi'],
];

function validateAccessModes(modes: unknown, path: Path, requiredDetail: string): FieldError[] {
  const all = list(modes);
  const errs: FieldError[] = all.length === 0 ? [required(path, requiredDetail)] : [];
  let rwop = false;
  let other = false;
  for (const mode of all) {
    if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(path, mode, ACCESS_MODES));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** A quantity that must be above zero (capacity, requested storage). */
function positiveQuantity(value: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const v = quantityValue(value, path, errs);
  if (v !== undefined && v <= 0) errs.push(invalid(path, shownQuantity(value), 'must be greater than zero'));
  return errs;
}

function validatePVSource(kind: string, raw: unknown, path: Path): FieldError[] {
  const s = record(raw);
  const errs: FieldError[] = [];
  switch (kind) {
    case 'hostPath':
      if (!text(s.path)) return [required(path.child('path'))];
      return validatePathNoBacksteps(text(s.path), path.child('path'));
    case 'nfs':
      if (!text(s.server)) errs.push(required(path.child('server')));
      if (!text(s.path)) errs.push(required(path.child('path')));
      if (!text(s.path).startsWith('/')) errs.push(invalid(path.child('path'), text(s.path), 'must be an absolute path'));
      return errs;
    case 'local':
      if (!text(s.path)) return [required(path.child('path'))];
      return validatePathNoBacksteps(text(s.path), path.child('path'));
    case 'csi':
      if (!text(s.driver)) errs.push(required(path.child('driver')));
      if (!text(s.volumeHandle)) errs.push(required(path.child('volumeHandle')));
      return errs;
    default:
      return [];
  }
}

function validatePVSpec(spec: Record<string, any>): FieldError[] {
  const errs = validateAccessModes(spec.accessModes, SPEC.child('accessModes'), '');
  const capacity = record(spec.capacity);
  const capPath = SPEC.child('capacity');
  if (Object.keys(capacity).length === 0) errs.push(required(capPath));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported(capPath, capacity, ['storage']));
  for (const [name, q] of sortedEntries(capacity)) errs.push(...positiveQuantity(q, capPath.key(name)));
  if (text(spec.persistentVolumeReclaimPolicy) && !['Delete', 'Recycle', 'Retain'].includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported(SPEC.child('persistentVolumeReclaimPolicy'), spec.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain']));
  }
  if (isSet(spec.nodeAffinity)) {
    const na = record(spec.nodeAffinity);
    if (isSet(na.required)) errs.push(...validateNodeSelector(na.required, SPEC.child('nodeAffinity', 'required')));
    else errs.push(required(SPEC.child('nodeAffinity', 'required'), 'must specify required node constraints'));
  }
  let count = 0;
  for (const [field, reported] of PV_SOURCES) {
    if (!isSet(spec[field])) continue;
    if (count > 0) {
      errs.push(forbidden(SPEC.child(reported ?? field), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validatePVSource(field, spec[field], SPEC.child(field)));
    if (field === 'local' && !isSet(spec.nodeAffinity)) errs.push(required(SPEC.child('nodeAffinity'), 'Local volume requires node affinity'));
  }
  if (count === 0) errs.push(required(SPEC, 'must specify a volume type'));
  if (isSet(spec.hostPath) && spec.persistentVolumeReclaimPolicy === 'Recycle' && text(record(spec.hostPath).path).replace(/\/+$/, '') === '') {
    errs.push(forbidden(SPEC.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (text(spec.storageClassName)) errs.push(...invalidEach(SPEC.child('storageClassName'), spec.storageClassName, dns1123Subdomain(spec.storageClassName)));
  if (isSet(spec.volumeMode) && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(SPEC.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  return errs;
}

function pvSource(spec: Record<string, any>): Record<string, any> {
  return Object.fromEntries(PV_SOURCES.filter(([f]) => isSet(spec[f])).map(([f]) => [f, spec[f]]));
}

export function validatePersistentVolume(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const errs = [...validateObjectMeta(obj?.metadata, { namespaced: false, name: subdomainName }), ...validatePVSpec(spec)];
  if (old === undefined) return errs;
  const oldSpec = record(old?.spec);
  errs.unshift(...validateObjectMetaUpdate(obj?.metadata, old?.metadata));
  if (!deepEqual(pvSource(spec), pvSource(oldSpec))) {
    errs.push(forbidden(Path.root('spec', 'persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${describeChanges(pvSource(oldSpec), pvSource(spec), 'spec')}`));
  }
  errs.push(...immutable(spec.volumeMode ?? null, oldSpec.volumeMode ?? null, Path.root('volumeMode')));
  if (isSet(oldSpec.nodeAffinity) && !deepEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) {
    errs.push(invalid(Path.root('nodeAffinity'), spec.nodeAffinity ?? null, `${IMMUTABLE_MESSAGE}, except for updating from beta label to GA`));
  }
  return errs;
}

function validateDataSource(raw: unknown, path: Path): FieldError[] {
  const ds = record(raw);
  const errs: FieldError[] = [];
  if (!text(ds.name)) errs.push(required(path.child('name')));
  if (!text(ds.kind)) errs.push(required(path.child('kind')));
  const group = text(ds.apiGroup);
  if (!group && ds.kind !== 'PersistentVolumeClaim') errs.push(invalid(path, text(ds.kind), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) errs.push(...invalidEach(path.child('apiGroup'), group, dns1123Subdomain(group)));
  return errs;
}

/** A PersistentVolumeClaimSpec at `path`. */
function validatePVCSpec(specRaw: unknown, path: Path): FieldError[] {
  const spec = record(specRaw);
  const errs = validateAccessModes(spec.accessModes, path.child('accessModes'), 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  // Upstream keys the storage request on `resources`, not `resources.requests`.
  const storagePath = path.child('resources').key('storage');
  const storage = record(record(spec.resources).requests).storage;
  if (!isSet(storage)) {
    errs.push(required(storagePath));
  } else {
    const positive = positiveQuantity(storage, storagePath);
    errs.push(...(positive.length ? positive : validateResourceQuantity('storage', storage, storagePath)));
  }
  if (text(spec.storageClassName)) errs.push(...invalidEach(path.child('storageClassName'), spec.storageClassName, dns1123Subdomain(spec.storageClassName)));
  if (isSet(spec.volumeMode) && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(path.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (isSet(spec.dataSource)) errs.push(...validateDataSource(spec.dataSource, path.child('dataSource')));
  if (isSet(spec.dataSourceRef)) errs.push(...validateDataSource(spec.dataSourceRef, path.child('dataSourceRef')));
  return errs;
}

function validatePVCUpdate(pvc: Record<string, any>, old: Record<string, any>): FieldError[] {
  const spec = record(pvc.spec);
  const oldSpec = record(old.spec);
  const errs: FieldError[] = [];
  const oldCompare: Record<string, any> = { ...oldSpec };
  const newCompare: Record<string, any> = { ...spec };
  // The binder may set volumeName once.
  if (!text(oldSpec.volumeName)) oldCompare.volumeName = spec.volumeName;
  // A bound claim may change its storage request (expansion).
  if (record(pvc.status).phase === 'Bound' && isSet(record(spec.resources).requests)) {
    const resources = record(spec.resources);
    newCompare.resources = { ...resources, requests: { ...record(resources.requests), storage: record(record(oldSpec.resources).requests).storage } };
  }
  if (!deepEqual(newCompare, oldCompare)) {
    errs.push(
      forbidden(SPEC, `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${describeChanges(oldCompare, newCompare, 'spec')}`),
    );
  }
  const newSize = record(record(spec.resources).requests).storage;
  const oldSize = record(record(oldSpec.resources).requests).storage;
  const scratch: FieldError[] = [];
  const n = quantityValue(newSize, SPEC, scratch);
  const o = quantityValue(oldSize, SPEC, scratch);
  if (n !== undefined && o !== undefined && n < o) {
    errs.push(forbidden(Path.root('spec', 'resources', 'requests', 'storage'), 'field can not be less than previous value'));
  }
  errs.push(...immutable(spec.volumeMode ?? null, oldSpec.volumeMode ?? null, Path.root('volumeMode')));
  return errs;
}

export function validatePersistentVolumeClaim(obj: any, old?: any): FieldError[] {
  const pvc = record(obj);
  const rules: MetaRules = { namespaced: true, name: subdomainName };
  const errs = [...validateObjectMeta(pvc.metadata, rules), ...validatePVCSpec(pvc.spec, SPEC)];
  if (old === undefined) return errs;
  return [...validateObjectMetaUpdate(pvc.metadata, old?.metadata), ...errs, ...validatePVCUpdate(pvc, record(old))];
}

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(obj: any, old?: any): FieldError[] {
  const sc = record(obj);
  const errs = old === undefined ? validateObjectMeta(sc.metadata, { namespaced: false, name: subdomainName }) : validateObjectMetaUpdate(sc.metadata, old?.metadata);
  const provisioner = text(sc.provisioner);
  if (!provisioner) errs.push(required(Path.root('provisioner')));
  else errs.push(...validateQualifiedName(provisioner.toLowerCase(), Path.root('provisioner')));
  const params = sortedEntries(sc.parameters);
  if (params.length > MAX_PARAMETERS) {
    errs.push(tooLong(Path.root('parameters'), MAX_PARAMETERS));
  } else {
    let size = 0;
    for (const [k, v] of params) {
      if (k.length < 1) errs.push(invalid(Path.root('parameters'), k, 'field can not be empty.'));
      size += Buffer.byteLength(k) + Buffer.byteLength(text(v));
    }
    if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong(Path.root('parameters'), MAX_PARAMETERS_SIZE));
  }
  if (text(sc.reclaimPolicy) && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(notSupported(Path.root('reclaimPolicy'), sc.reclaimPolicy, ['Delete', 'Retain']));
  if (!isSet(sc.volumeBindingMode)) errs.push(required(Path.root('volumeBindingMode')));
  else if (!['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode)) {
    errs.push(notSupported(Path.root('volumeBindingMode'), sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  if (old === undefined) return errs;
  const prev = record(old);
  if (!deepEqual(sc.parameters ?? {}, prev.parameters ?? {})) errs.push(forbidden(Path.root('parameters'), 'updates to parameters are forbidden.'));
  if (sc.provisioner !== prev.provisioner) errs.push(forbidden(Path.root('provisioner'), 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? null) !== (prev.reclaimPolicy ?? null)) errs.push(forbidden(Path.root('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc.volumeBindingMode ?? null, prev.volumeBindingMode ?? null, Path.root('volumeBindingMode')));
  return errs;
}
