/**
 * Applies a PATCH body of any of the four patch types to the current object (served version),
 * returning the patched object. Pure; StatusErrors for bad patches.
 */
import { typeOfKind } from '../api/schema/index.js';
import { applyJsonPatch, applyMergePatch, applyServerSide, applyStrategicMergePatch } from './patch/index.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions {
  /** apiVersion of the endpoint (apply checks the body against it). */
  apiVersion: string;
  kind: string;
  manager: string;
  force: boolean;
  now: Date;
  /** `status` or `scale` for writes through a subresource. */
  subresource?: string;
  /** Top-level fields the endpoint resets (`status` on the main resource of a kind with /status, `spec` on /status). */
  resetFields?: string[];
}

/** `current` is undefined only for an apply that creates the object. */
export function applyPatch(type: PatchType, current: any, patch: unknown, opts: PatchOptions): any {
  const [group, version] = opts.apiVersion.includes('/') ? opts.apiVersion.split('/') : ['', opts.apiVersion];
  const typeName = typeOfKind(group!, version!, opts.kind);
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, patch);
    case 'strategic':
      return applyStrategicMergePatch(current, patch, typeName);
    case 'apply':
      return applyServerSide({
        live: current,
        applied: patch,
        manager: opts.manager,
        force: opts.force,
        apiVersion: opts.apiVersion,
        typeName,
        now: opts.now,
        subresource: opts.subresource,
        resetFields: opts.resetFields,
      }).object;
  }
}
