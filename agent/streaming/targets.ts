/**
 * How the streaming server finds what it streams from: the pod manager knows which runtime
 * container and sandbox belong to a pod, and whether they can be streamed from now.
 */

/**
 * A container or pod that cannot be streamed from; the message reaches the user as written
 * (kubectl prints "Error from server (BadRequest): <message>"). `notFound` when the agent does not
 * run the pod at all.
 */
export class StreamTargetError extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'StreamTargetError';
  }
}

/** Upstream's (kubelet's) words for the usual refusals, for StreamTargets implementations. */
export const targetErrors = {
  podNotFound: (pod: string) => new StreamTargetError(`pod "${pod}" not found`, true),
  containerNotFound: (container: string, pod: string) => new StreamTargetError(`container "${container}" in pod "${pod}" is not available`),
  waitingToStart: (container: string, pod: string, reason: string) => new StreamTargetError(`container "${container}" in pod "${pod}" is waiting to start: ${reason}`),
  previousNotFound: (container: string, pod: string) => new StreamTargetError(`previous terminated container "${container}" in pod "${pod}" not found`),
};

export interface StreamTargets {
  /**
   * The runtime id of `container` in the pod (its last terminated instance when `previous`).
   * undefined when this agent has no such instance (the pod is not here, the container has not
   * started, there is no previous instance). May reject with StreamTargetError to say more
   * precisely why (e.g. targetErrors.waitingToStart).
   */
  containerFor(namespace: string, pod: string, container: string, previous: boolean): Promise<{ containerId: string } | undefined>;
  /** The id of the pod's running sandbox (port-forward), or undefined when this agent runs no such pod. */
  sandboxFor(namespace: string, pod: string): Promise<string | undefined>;
}

/** The container to stream from; without one, the kubelet's refusal for the request. */
export async function streamContainer(targets: StreamTargets, target: { namespace: string; pod: string; container: string }, previous: boolean): Promise<string> {
  const found = await targets.containerFor(target.namespace, target.pod, target.container, previous);
  if (found) return found.containerId;
  throw previous ? targetErrors.previousNotFound(target.container, target.pod) : targetErrors.containerNotFound(target.container, target.pod);
}
