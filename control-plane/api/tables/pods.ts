/** The Pod printer: upstream's printPod, including its STATUS and RESTARTS computation. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { humanDuration, parseTime } from './duration.js';
import { conditionStatus } from './format.js';

/** Set on pods of an unreachable node by the node lifecycle controller. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

const isRestartable = (c: any): boolean => c?.restartPolicy === 'Always';

/** Tracks the restart count and the latest termination time of restarted containers. */
class Restarts {
  count = 0;
  last: number | undefined;

  add(status: any): void {
    this.count += status.restartCount ?? 0;
    const finished = status.lastState?.terminated ? parseTime(status.lastState.terminated.finishedAt) : undefined;
    if (finished !== undefined && (this.last === undefined || finished > this.last)) this.last = finished;
  }
}

/** The reason an init container stopped the pod from initializing, or undefined when it is done. */
function initReason(status: any, index: number, total: number, spec: any): string | undefined {
  const terminated = status.state?.terminated;
  if (terminated && terminated.exitCode === 0) return undefined;
  if (isRestartable(spec) && status.started === true) return undefined;
  if (terminated) {
    if (terminated.reason) return `Init:${terminated.reason}`;
    return terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
  }
  const waiting = status.state?.waiting;
  if (waiting?.reason && waiting.reason !== 'PodInitializing') return `Init:${waiting.reason}`;
  return `Init:${index}/${total}`;
}

/** READY, STATUS and RESTARTS of a pod, computed as upstream's printPod does. */
export function podStatusCells(pod: any, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initContainers: any[] = spec.initContainers ?? [];
  const initSpecs = new Map(initContainers.map((c) => [c.name, c]));
  const total = (spec.containers ?? []).length + initContainers.filter(isRestartable).length;
  let ready = 0;
  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const all = new Restarts();
  const sidecars = new Restarts();
  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const s = initStatuses[i];
    const initSpec = initSpecs.get(s.name);
    all.add(s);
    if (isRestartable(initSpec)) {
      sidecars.add(s);
      if (s.started === true && s.state?.terminated?.exitCode !== 0 && s.ready) ready++;
    }
    const why = initReason(s, i, initContainers.length, initSpec);
    if (why !== undefined) {
      reason = why;
      initializing = true;
      break;
    }
  }

  let restarts = all;
  if (!initializing || conditionStatus(status.conditions, 'Initialized') === 'True') {
    restarts = sidecars;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts.add(c);
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode ?? 0}`;
      else if (c.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionStatus(status.conditions, 'Ready') === 'True' ? 'Running' : 'NotReady';
  }

  const deleting = pod.metadata?.deletionTimestamp != null;
  if (deleting && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  let restartCell = String(restarts.count);
  if (restarts.count !== 0 && restarts.last !== undefined) {
    restartCell = `${restarts.count} (${humanDuration(now.getTime() - restarts.last)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartCell };
}

function readinessGates(pod: any): string {
  const gates: any[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const trueCount = gates.filter((g) => conditionStatus(pod.status?.conditions, g.conditionType) === 'True').length;
  return `${trueCount}/${gates.length}`;
}

export const podTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    column('IP', 'string', DOC['PodStatus.podIP'], 1),
    column('Node', 'string', DOC['PodSpec.nodeName'], 1),
    column('Nominated Node', 'string', DOC['PodStatus.nominatedNodeName'], 1),
    column('Readiness Gates', 'string', DOC['PodSpec.readinessGates'], 1),
  ],
  row(pod, now) {
    const { ready, status, restarts } = podStatusCells(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      nameOf(pod),
      ready,
      status,
      restarts,
      ageOf(pod, now),
      ip,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};
