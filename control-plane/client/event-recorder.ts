/**
 * Records Kubernetes Events (core/v1) about objects, as client-go's recorder does: one Event per
 * (object, type, reason, message), whose count and lastTimestamp go up when it repeats, so
 * `kubectl describe` shows "x3 over 2m". Fire-and-forget: recording never throws or blocks the
 * caller; failures are logged.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { RESOURCES } from '../api/registry.js';
import { isNotFound, type ApiClient } from './api-client.js';

const events = RESOURCES.find((r) => r.plural === 'events' && r.group === '')!;

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about. */
export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventSource {
  /** e.g. 'kubelet', 'default-scheduler', 'deployment-controller'. */
  component: string;
  host?: string;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class EventRecorder {
  private readonly counts = new Map<string, { name: string; count: number; first: string }>();
  private readonly log: Logger;

  constructor(
    private readonly client: ApiClient,
    private readonly source: EventSource,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'event-recorder' });
  }

  /** Records an event about `obj`; `fieldPath` names a part of it (e.g. `spec.containers{web}`). */
  event(obj: InvolvedObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    void this.record(obj, type, reason, message, fieldPath).catch((err) =>
      this.log.warn({ reason, object: obj.metadata.name, err: (err as Error).message }, 'could not record event'),
    );
  }

  private async record(obj: InvolvedObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const now = rfc3339(new Date());
    const involvedObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      fieldPath,
    };
    const key = createHash('sha1').update(JSON.stringify([obj.metadata.uid, type, reason, message, fieldPath])).digest('hex');
    const seen = this.counts.get(key);
    if (seen) {
      seen.count++;
      try {
        await this.client.patch(events, namespace, seen.name, 'merge', { count: seen.count, lastTimestamp: now });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.counts.delete(key);
      }
    }
    // Upstream names events <object>.<unique hex>.
    const name = `${obj.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    const entry = seen ?? { name, count: 1, first: now };
    entry.name = name;
    this.counts.set(key, entry);
    if (this.counts.size > 4096) this.counts.delete(this.counts.keys().next().value!);
    await this.client.create(events, namespace, {
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      source: this.source,
      count: entry.count,
      firstTimestamp: entry.first,
      lastTimestamp: now,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    });
  }
}
