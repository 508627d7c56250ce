/**
 * Test fixtures for the pure pod logic: pods, observed sandboxes and container instances with
 * explicit times, so tables read as "this ran, exited at T, the clock says T+5s".
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../../runtime/runtime.js';
import { ANNOTATIONS, containerHash } from '../container-config.js';
import type { ObservedPod, ObservedSandbox } from '../observed.js';

export const T0 = new Date('2024-05-01T10:00:00Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

export function pod(spec: Partial<Pod['spec']> = {}, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', ...(extra.metadata ?? {}) },
    spec: { restartPolicy: 'Always', containers: [{ name: 'app', image: 'busybox:1' }], ...spec },
    status: extra.status,
  };
}

export function sandbox(over: Partial<ObservedSandbox> = {}): ObservedSandbox {
  return { id: 'sb-0', pod: { uid: 'uid-1', name: 'web', namespace: 'default' }, attempt: 0, state: 'ready', createdAt: at(0), podIPs: ['10.244.0.5'], labels: {}, ...over };
}

export interface InstanceSpec {
  name?: string;
  attempt?: number;
  state?: ContainerStatus['state'];
  exitCode?: number;
  reason?: string;
  /** Seconds after T0. */
  created?: number;
  started?: number;
  finished?: number;
  container?: Container;
  message?: string;
}

export function instance(s: InstanceSpec = {}): ContainerStatus {
  const name = s.name ?? 'app';
  const attempt = s.attempt ?? 0;
  const created = s.created ?? attempt * 10;
  const container = s.container ?? { name, image: 'busybox:1' };
  return {
    id: `${name}-${attempt}`,
    sandboxId: 'sb-0',
    pod: { uid: 'uid-1', name: 'web', namespace: 'default' },
    name,
    attempt,
    image: 'busybox:1',
    imageRef: 'docker://sha256:abc',
    state: s.state ?? 'running',
    createdAt: at(created),
    startedAt: s.state === 'created' ? undefined : at(s.started ?? created),
    ...(s.state === 'exited' ? { finishedAt: at(s.finished ?? created + 1), exitCode: s.exitCode ?? 0, reason: s.reason ?? ((s.exitCode ?? 0) === 0 ? 'Completed' : 'Error') } : {}),
    ...(s.message ? { message: s.message } : {}),
    labels: {},
    annotations: { [ANNOTATIONS.hash]: containerHash(container) },
  };
}

/** Newest first, as observePod() returns them. */
export function observed(sandboxes: ObservedSandbox[], containers: ContainerStatus[]): ObservedPod {
  return {
    sandboxes: [...sandboxes].sort((a, b) => b.attempt - a.attempt),
    containers: [...containers].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
  };
}
