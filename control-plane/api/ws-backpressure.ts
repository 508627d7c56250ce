/** Flow between a WebSocket and the writable it feeds; used by the API server's and the agent's stream endpoints. */
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Stops reading `ws` until `target` drained its buffer, or ended, or closed. Resumes in any
 * case: a socket left paused could not even finish its closing handshake.
 */
export function pauseUntilDrained(ws: WebSocket, target: Writable): void {
  ws.pause();
  const resume = () => {
    target.off('drain', resume);
    target.off('finish', resume);
    target.off('close', resume);
    ws.resume();
  };
  target.on('drain', resume);
  target.on('finish', resume);
  target.on('close', resume);
}
