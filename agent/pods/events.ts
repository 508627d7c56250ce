/**
 * Events about pods and their containers, as the kubelet records them: involvedObject the Pod,
 * fieldPath `spec.containers{name}` (or `spec.initContainers{name}`) for container events.
 * Fire-and-forget (EventRecorder never throws).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder, EventType } from '../../control-plane/client/event-recorder.js';

export function containerFieldPath(pod: Pod, name: string): string {
  const init = (pod.spec?.initContainers ?? []).some((c) => c.name === name);
  return `spec.${init ? 'initContainers' : 'containers'}{${name}}`;
}

export class PodEvents {
  constructor(private readonly recorder: EventRecorder) {}

  private ref(pod: Pod) {
    const m = pod.metadata ?? {};
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion } };
  }

  pod(pod: Pod, type: EventType, reason: string, message: string): void {
    this.recorder.event(this.ref(pod), type, reason, message);
  }

  container(pod: Pod, name: string, type: EventType, reason: string, message: string): void {
    this.recorder.event(this.ref(pod), type, reason, message, containerFieldPath(pod, name));
  }
}
