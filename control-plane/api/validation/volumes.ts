/**
 * Pod volumes as upstream's ValidateVolumes checks them: unique DNS-1123-label names and exactly one
 * source each, with the common sources (emptyDir, hostPath, secret, configMap,
 * persistentVolumeClaim, downwardAPI, projected, nfs, csi, ephemeral, image) checked in detail.
 */
import { dns1123Label } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, duplicate, forbidden, invalid, invalidEach, notSupported, required } from './field.js';
import { isSet, list, record, text } from './json.js';
import { validateObjectFieldSelector, validateResourceFieldSelector } from './env.js';
import { quantityValue } from './resources.js';

/** Every volume source upstream knows, in the order it checks them (the path name it reports, when different). */
const SOURCES: [field: string, reported?: string][] = [
  ['emptyDir'], ['hostPath'], ['gitRepo'], ['gcePersistentDisk'], ['awsElasticBlockStore'], ['secret'], ['nfs'], ['iscsi'],
  ['glusterfs'], ['flocker'], ['persistentVolumeClaim'], ['rbd'], ['cinder'], ['cephfs', 'cephFS'], ['quobyte'],
  ['downwardAPI', 'downwarAPI'], ['fc'], ['flexVolume'], ['configMap'], ['azureFile'], ['vsphereVolume'],
  ['photonPersistentDisk'], ['portworxVolume'], ['azureDisk'], ['storageos'], ['projected'], ['scaleIO'], ['csi'],
  ['ephemeral'], ['image'],
];

const FILE_MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function fileMode(mode: unknown, path: Path): FieldError[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [invalid(path, mode, FILE_MODE_MESSAGE)] : [];
}

export function validatePathNoBacksteps(target: string, path: Path): FieldError[] {
  return target.replace(/\\/g, '/').split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

/** A relative path without `..` elements (subPath, projected item paths). */
export function validateLocalDescendingPath(target: string, path: Path): FieldError[] {
  const errs: FieldError[] = target.startsWith('/') ? [invalid(path, target, 'must be a relative path')] : [];
  return errs.concat(validatePathNoBacksteps(target, path));
}

function validateLocalNonReservedPath(target: string, path: Path): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateKeyToPath(item: unknown, path: Path): FieldError[] {
  const kp = record(item);
  const errs: FieldError[] = [];
  if (!text(kp.key)) errs.push(required(path.child('key')));
  if (!text(kp.path)) errs.push(required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(text(kp.path), path.child('path')));
  return errs.concat(fileMode(kp.mode, path.child('mode')));
}

function validateItems(items: unknown, path: Path): FieldError[] {
  return list(items).flatMap((item, i) => validateKeyToPath(item, path.index(i)));
}

function validateDownwardAPIFile(file: unknown, path: Path): FieldError[] {
  const f = record(file);
  const errs: FieldError[] = [];
  if (!text(f.path)) errs.push(required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(text(f.path), path.child('path')));
  if (isSet(f.fieldRef)) {
    errs.push(...validateObjectFieldSelector(f.fieldRef, VOLUME_FIELD_PATHS, path.child('fieldRef')));
    if (isSet(f.resourceFieldRef)) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (isSet(f.resourceFieldRef)) {
    errs.push(...validateResourceFieldSelector(f.resourceFieldRef, path.child('resourceFieldRef'), true));
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  return errs.concat(fileMode(f.mode, path.child('mode')));
}

function validateProjected(source: Record<string, any>, path: Path): FieldError[] {
  const errs = fileMode(source.defaultMode, path.child('defaultMode'));
  const seen = new Set<string>();
  const claimPath = (p: string, shown: string): void => {
    if (!p) return;
    if (seen.has(p)) errs.push(invalid(path, shown, 'conflicting duplicate paths'));
    seen.add(p);
  };
  list(source.sources).forEach((raw, i) => {
    const src = record(raw);
    const srcPath = path.child('sources').index(i);
    let count = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      if (!isSet(src[kind])) continue;
      count++;
      const s = record(src[kind]);
      if (!text(s.name)) errs.push(required(srcPath.child(kind, 'name')));
      list(s.items).forEach((item, j) => {
        errs.push(...validateKeyToPath(item, srcPath.child(kind, 'items').index(j)));
        claimPath(text(record(item).path), text(s.name));
      });
    }
    if (isSet(src.downwardAPI)) {
      count++;
      for (const item of list(record(src.downwardAPI).items)) {
        errs.push(...validateDownwardAPIFile(item, srcPath.child('downwardAPI')));
        claimPath(text(record(item).path), text(record(item).path));
      }
    }
    if (isSet(src.serviceAccountToken)) {
      count++;
      const t = record(src.serviceAccountToken);
      const p = srcPath.child('serviceAccountToken');
      const seconds = t.expirationSeconds;
      if (typeof seconds === 'number' && seconds < 600) errs.push(invalid(p.child('expirationSeconds'), seconds, 'may not specify a duration less than 10 minutes'));
      if (typeof seconds === 'number' && seconds > 2 ** 32) errs.push(invalid(p.child('expirationSeconds'), seconds, 'may not specify a duration larger than 2^32 seconds'));
      if (!text(t.path)) errs.push(required(path.child('path')));
      else errs.push(...validateLocalNonReservedPath(text(t.path), path.child('path')));
    }
    if (isSet(src.clusterTrustBundle)) {
      count++;
      const b = record(src.clusterTrustBundle);
      if (!text(b.path)) errs.push(required(srcPath.child('clusterTrustBundle', 'path')));
    }
    if (count > 1) errs.push(forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateSource(kind: string, raw: unknown, path: Path, isPod: boolean): FieldError[] {
  const s = record(raw);
  const errs: FieldError[] = [];
  switch (kind) {
    case 'emptyDir':
      if (isSet(s.sizeLimit)) {
        const v = quantityValue(s.sizeLimit, path.child('sizeLimit'), errs);
        if (v !== undefined && v < 0) errs.push(forbidden(path.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      }
      return errs;
    case 'hostPath':
      if (!text(s.path)) return [required(path.child('path'))];
      errs.push(...validatePathNoBacksteps(text(s.path), path.child('path')));
      if (isSet(s.type) && !HOST_PATH_TYPES.includes(s.type)) errs.push(notSupported(path.child('type'), s.type, HOST_PATH_TYPES));
      return errs;
    case 'secret':
      if (!text(s.secretName)) errs.push(required(path.child('secretName')));
      return errs.concat(fileMode(s.defaultMode, path.child('defaultMode')), validateItems(s.items, path.child('items')));
    case 'configMap':
      if (!text(s.name)) errs.push(required(path.child('name')));
      return errs.concat(fileMode(s.defaultMode, path.child('defaultMode')), validateItems(s.items, path.child('items')));
    case 'persistentVolumeClaim':
      return text(s.claimName) ? [] : [required(path.child('claimName'))];
    case 'downwardAPI':
      return fileMode(s.defaultMode, path.child('defaultMode')).concat(list(s.items).flatMap((f) => validateDownwardAPIFile(f, path)));
    case 'projected':
      return validateProjected(s, path);
    case 'nfs':
      if (!text(s.server)) errs.push(required(path.child('server')));
      if (!text(s.path)) errs.push(required(path.child('path')));
      if (!text(s.path).startsWith('/')) errs.push(invalid(path.child('path'), text(s.path), 'must be an absolute path'));
      return errs;
    case 'csi':
      return text(s.driver) ? [] : [required(path.child('driver'))];
    case 'ephemeral':
      return isSet(s.volumeClaimTemplate) ? [] : [required(path.child('volumeClaimTemplate'))];
    case 'image':
      if (isPod && !text(s.reference)) errs.push(required(path.child('reference')));
      if (!['Always', 'IfNotPresent', 'Never'].includes(s.pullPolicy)) {
        errs.push(s.pullPolicy ? notSupported(path.child('pullPolicy'), s.pullPolicy, ['Always', 'IfNotPresent', 'Never']) : required(path.child('pullPolicy')));
      }
      return errs;
    default:
      return [];
  }
}

/**
 * Validates `volumes` at `path`; returns the errors and the sources of the volumes that are valid,
 * by name (a mount naming any other volume is reported as not found, as upstream does).
 */
export function validateVolumes(volumes: unknown, path: Path, isPod: boolean): { errors: FieldError[]; sources: Map<string, Record<string, any>> } {
  const errors: FieldError[] = [];
  const sources = new Map<string, Record<string, any>>();
  list(volumes).forEach((raw, i) => {
    const vol = record(raw);
    const p = path.index(i);
    const name = text(vol.name);
    const el: FieldError[] = [];
    let count = 0;
    for (const [field, reported] of SOURCES) {
      if (!isSet(vol[field])) continue;
      if (count > 0) {
        el.push(forbidden(p.child(reported ?? field), 'may not specify more than 1 volume type'));
        continue;
      }
      count++;
      el.push(...validateSource(field, vol[field], p.child(field), isPod));
    }
    if (count === 0) el.push(required(p, 'must specify a volume type'));
    if (!name) el.push(required(p.child('name')));
    else el.push(...invalidEach(p.child('name'), name, dns1123Label(name)));
    if (sources.has(name)) el.push(duplicate(p.child('name'), name));
    if (el.length === 0) sources.set(name, vol);
    else errors.push(...el);
  });
  return { errors, sources };
}
