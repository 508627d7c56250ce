/**
 * A pod's status as the kubelet reports it (generateAPIPodStatus, convertToAPIContainerStatuses,
 * getPhase and the condition generators of pkg/kubelet/status): phase, the kubelet's conditions
 * (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled) plus every
 * condition others own, container statuses with state/lastState/restartCount/ready/started,
 * addresses, startTime and qosClass. Pure.
 */
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { qosClassOf } from '../../control-plane/api/qos.js';
import type { ContainerStatus } from '../runtime/runtime.js';
import type { ObservedPod } from './observed.js';
import { isTerminalPhase, shouldRestart } from './sync.js';

/** The latest probe results of a container instance: true success, false failure, undefined none yet. */
export interface ProbeResultsView {
  result(containerId: string, probe: 'readiness' | 'startup'): boolean | undefined;
}

export interface StatusContext {
  /** Why a container waits, from the last sync (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError…). */
  waiting: ReadonlyMap<string, { reason: string; message?: string }>;
  /** The pod's addresses now (none while it has no network). */
  podIPs: string[];
  hostIPs: string[];
  /** The pod was deleted and all its containers stopped: the phase becomes Succeeded or Failed. */
  terminal: boolean;
  /** The status last written (by this agent or another), for startTime, transition times and kept fields. */
  previous?: PodStatus;
  /** Prefix of container IDs, e.g. `docker`. */
  runtimeName: string;
}

/** Condition types the kubelet owns (and regenerates each time). */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function stateOf(instance: ContainerStatus, containerID: string): ContainerState {
  switch (instance.state) {
    case 'running':
      return { running: { startedAt: rfc3339(instance.startedAt ?? instance.createdAt) } };
    case 'exited':
      return {
        terminated: {
          exitCode: instance.exitCode ?? 0,
          ...(instance.reason ? { reason: instance.reason } : {}),
          ...(instance.message ? { message: instance.message } : {}),
          ...(instance.startedAt ? { startedAt: rfc3339(instance.startedAt) } : {}),
          ...(instance.finishedAt ? { finishedAt: rfc3339(instance.finishedAt) } : {}),
          containerID,
        },
      };
    default:
      return { waiting: {} };
  }
}

function convert(instance: ContainerStatus, runtimeName: string): ApiContainerStatus {
  const containerID = `${runtimeName}://${instance.id}`;
  return {
    name: instance.name,
    state: stateOf(instance, containerID),
    lastState: {},
    ready: false,
    restartCount: instance.attempt,
    image: instance.image,
    imageID: instance.imageRef,
    containerID,
    started: false,
  };
}

/** Statuses of `specs` (init or regular containers) in spec order. */
function containerStatuses(pod: Pod, specs: Container[], init: boolean, observed: ObservedPod, probes: ProbeResultsView, ctx: StatusContext): ApiContainerStatus[] {
  const hasInits = (pod.spec?.initContainers ?? []).length > 0;
  const old = new Map((init ? ctx.previous?.initContainerStatuses : ctx.previous?.containerStatuses)?.map((s) => [s.name, s]) ?? []);
  return specs.map((spec) => {
    const instances = observed.containers.filter((c) => c.name === spec.name);
    const newest = instances[0];
    const previous = old.get(spec.name);
    let status: ApiContainerStatus;
    if (newest) {
      status = convert(newest, ctx.runtimeName);
      if (instances[1]) status.lastState = convert(instances[1], ctx.runtimeName).state;
    } else if (previous?.state?.terminated) {
      status = structuredClone(previous);
    } else {
      status = {
        name: spec.name,
        image: spec.image ?? '',
        imageID: '',
        state: { waiting: { reason: hasInits ? 'PodInitializing' : 'ContainerCreating' } },
        lastState: structuredClone(previous?.lastState ?? {}),
        ready: false,
        restartCount: previous?.restartCount ?? 0,
        started: false,
      };
      if (previous?.state?.running && !status.lastState?.terminated) {
        // It ran and vanished: report it as stopped rather than as never started (upstream).
        status.lastState = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running' } };
        if (!pod.metadata?.deletionTimestamp) status.restartCount += 1;
      }
    }
    const succeededInit = init && newest?.state === 'exited' && newest.exitCode === 0;
    const waiting = ctx.waiting.get(spec.name);
    if (!succeededInit && waiting && shouldRestart(pod, newest)) {
      if (status.state?.terminated) status.lastState = status.state;
      status.state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
    }
    const running = Boolean(status.state?.running) && newest !== undefined;
    if (init) {
      status.started = running;
      status.ready = Boolean(status.state?.terminated && status.state.terminated.exitCode === 0);
    } else {
      status.started = running && (spec.startupProbe ? probes.result(newest!.id, 'startup') === true : true);
      status.ready = status.started && (spec.readinessProbe ? probes.result(newest!.id, 'readiness') === true : true);
    }
    return status;
  });
}

/** upstream's getPhase. `terminal`: the pod's containers were stopped for good. */
export function podPhase(pod: Pod, inits: ApiContainerStatus[], containers: ApiContainerStatus[], terminal: boolean): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const byName = (list: ApiContainerStatus[], name: string) => list.find((s) => s.name === name);
  let pendingInits = 0;
  let failedInit = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    const s = byName(inits, c.name);
    if (!s || s.state?.running) pendingInits++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInits++;
    } else pendingInits++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec?.containers ?? []) {
    const s = byName(containers, c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInits > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type Condition = Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

function containersReady(pod: Pod, statuses: ApiContainerStatus[], phase: PodStatus['phase']): Condition {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    return { type: 'ContainersReady', status: 'False', reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted' };
  }
  const messages = [
    ...(unknown.length ? [`containers with unknown status: [${unknown.join(' ')}]`] : []),
    ...(unready.length ? [`containers with unready status: [${unready.join(' ')}]`] : []),
  ];
  if (messages.length > 0) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function podReady(pod: Pod, cr: Condition, others: PodCondition[]): Condition {
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const messages: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = others.find((x) => x.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (messages.length > 0) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: messages.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initialized(pod: Pod, inits: ApiContainerStatus[], containers: ApiContainerStatus[], phase: PodStatus['phase']): Condition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = inits.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  const ranBefore = containers.some((s) => s.lastState?.terminated || s.state?.terminated || s.state?.running);
  if (ranBefore) return { type: 'Initialized', status: 'True' };
  const messages = [
    ...(unknown.length ? [`containers with unknown status: [${unknown.join(' ')}]`] : []),
    ...(incomplete.length ? [`containers with incomplete status: [${incomplete.join(' ')}]`] : []),
  ];
  if (messages.length > 0) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: messages.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

/** Keeps the transition time of a condition whose status did not change. */
function stamped(c: Condition, previous: PodCondition[] | undefined, now: string): PodCondition {
  const old = previous?.find((p) => p.type === c.type);
  const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  return { type: c.type, status: c.status, lastTransitionTime, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) };
}

export function computePodStatus(pod: Pod, observed: ObservedPod, probes: ProbeResultsView, now: Date, ctx: StatusContext): PodStatus {
  const stamp = rfc3339(now);
  const inits = containerStatuses(pod, pod.spec?.initContainers ?? [], true, observed, probes, ctx);
  const containers = containerStatuses(pod, pod.spec?.containers ?? [], false, observed, probes, ctx);
  let phase = podPhase(pod, inits, containers, ctx.terminal);
  if (!isTerminalPhase(phase) && isTerminalPhase(ctx.previous?.phase)) phase = ctx.previous!.phase;

  const [sandbox] = observed.sandboxes;
  const sandboxReady = sandbox?.state === 'ready' && (pod.spec?.hostNetwork || sandbox.podIPs.length > 0) && observed.sandboxes.filter((s) => s.state === 'ready').length === 1;
  const others = (pod.status?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const cr = containersReady(pod, containers, phase);
  const scheduled = ctx.previous?.conditions?.find((c) => c.type === 'PodScheduled');
  const conditions: PodCondition[] = [
    ...others,
    stamped({ type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' }, ctx.previous?.conditions, stamp),
    stamped(initialized(pod, inits, containers, phase), ctx.previous?.conditions, stamp),
    stamped(podReady(pod, cr, others), ctx.previous?.conditions, stamp),
    stamped(cr, ctx.previous?.conditions, stamp),
    scheduled?.status === 'True' ? structuredClone(scheduled) : stamped({ type: 'PodScheduled', status: 'True' }, undefined, stamp),
  ];

  const podIPs = pod.spec?.hostNetwork ? ctx.hostIPs : ctx.podIPs.length > 0 ? ctx.podIPs : (ctx.previous?.podIPs?.map((p) => p.ip) ?? []);
  const status: PodStatus = { phase, conditions };
  if (ctx.hostIPs.length > 0) {
    status.hostIP = ctx.hostIPs[0];
    status.hostIPs = ctx.hostIPs.map((ip) => ({ ip }));
  }
  if (podIPs.length > 0) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  status.startTime = ctx.previous?.startTime ?? stamp;
  if (inits.length > 0) status.initContainerStatuses = inits;
  status.containerStatuses = containers;
  status.qosClass = qosClassOf(pod.spec);
  return status;
}
