/**
 * How the EndpointSlice and EndpointSlice mirroring controllers write their slices: through the
 * API, each write recorded in the controller's SliceTracker, so that the informer events of its own
 * writes start no new sync and a reconcile waits while the cache lacks them.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { storageResource } from '../../api/registry.js';
import { isNotFound, type ApiClient } from '../../client/api-client.js';
import type { SliceTracker } from './slice-tracker.js';

const slicesDef = storageResource('discovery.k8s.io/endpointslices');

/** The slice writes a reconcile decided on. */
export interface SliceWrites {
  /** New slices (metadata.generateName set). */
  create: EndpointSlice[];
  /** Full replacements of existing slices, carrying their resourceVersion. */
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export class SliceWriter {
  constructor(
    private readonly client: ApiClient,
    private readonly tracker: SliceTracker,
  ) {}

  /**
   * Carries out `plan` for the slices of `key` in `namespace`, in order: creates (skipped when
   * `create` is false: their owner is being deleted, and the garbage collector would race new
   * ones), updates, deletes. Stops at the first API error and throws it; what was written before
   * stays recorded. A reconcile repeats it safely once the cache has caught up.
   */
  async apply(key: string, namespace: string, plan: SliceWrites, create: boolean): Promise<void> {
    if (create) for (const slice of plan.create) this.tracker.written(key, await this.client.create(slicesDef, namespace, slice));
    for (const slice of plan.update) this.tracker.written(key, await this.client.update(slicesDef, namespace, slice.metadata!.name!, slice));
    for (const slice of plan.delete) await this.delete(key, slice);
  }

  /** Deletes one slice of `key` (its uid as precondition); a slice already gone counts as deleted. Throws other API errors. */
  async delete(key: string, slice: EndpointSlice): Promise<void> {
    try {
      await this.client.delete(slicesDef, slice.metadata!.namespace, slice.metadata!.name!, { preconditions: { uid: slice.metadata!.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.tracker.deleted(key, slice.metadata!.name!);
  }
}
