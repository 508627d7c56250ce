/** The agent's streaming server (logs, exec, attach, port-forward) and what it needs from the pod manager. */
export { DEFAULT_STREAMING_PORT, startStreamingServer, type StreamingServer, type StreamingServerOptions } from './server.js';
export { StreamTargetError, targetErrors, type StreamTargets } from './targets.js';
