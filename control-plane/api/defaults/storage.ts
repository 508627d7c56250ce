/**
 * Storage defaults as upstream sets them: PersistentVolumes (reclaim policy Retain, volume mode
 * Filesystem, phase Pending), PersistentVolumeClaims (volume mode Filesystem, phase Pending) and
 * StorageClasses (reclaim policy Delete, binding mode Immediate).
 */
import { child, existing, isObject, setDefault } from './fields.js';
import { defaultResourceList } from './resources.js';

/** A PersistentVolumeClaimSpec (claims, claim templates, ephemeral volumes). */
export function defaultPVCSpec(spec: Record<string, any>): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  const resources = existing(spec, 'resources');
  defaultResourceList(resources?.requests);
  defaultResourceList(resources?.limits);
}

export function defaultPersistentVolumeClaim(pvc: any): void {
  if (!isObject(pvc)) return;
  const spec = child(pvc, 'spec');
  if (spec) defaultPVCSpec(spec);
  const status = child(pvc, 'status');
  if (status) {
    setDefault(status, 'phase', 'Pending');
    defaultResourceList(status.capacity);
  }
}

export function defaultPersistentVolume(pv: any): void {
  if (!isObject(pv)) return;
  const spec = child(pv, 'spec');
  if (spec) {
    setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
    defaultResourceList(spec.capacity);
    const hostPath = existing(spec, 'hostPath');
    if (hostPath) setDefault(hostPath, 'type', '');
  }
  const status = child(pv, 'status');
  if (status) setDefault(status, 'phase', 'Pending');
}

export function defaultStorageClass(sc: any): void {
  if (!isObject(sc)) return;
  setDefault(sc, 'reclaimPolicy', 'Delete');
  setDefault(sc, 'volumeBindingMode', 'Immediate');
}
