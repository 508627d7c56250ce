/** The engine's container events as RuntimeEvents, across reconnects. */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { RuntimeEvent } from '../runtime.js';
import { dockerMessage } from './errors.js';

const ACTIONS = new Set<RuntimeEvent['type']>(['start', 'die', 'oom', 'destroy']);

/** One line of Docker's event stream as a RuntimeEvent, or undefined when it is not one. */
export function parseEvent(line: string): { event?: RuntimeEvent; time?: number } {
  let raw: { Type?: string; Action?: string; id?: string; Actor?: { ID?: string }; time?: number };
  try {
    raw = JSON.parse(line);
  } catch {
    return {};
  }
  const id = raw.Actor?.ID ?? raw.id;
  const type = raw.Action as RuntimeEvent['type'];
  const event = raw.Type === 'container' && id && ACTIONS.has(type) ? { containerId: id, type } : undefined;
  return { event, time: raw.time };
}

/**
 * Events of containers carrying `kindLabel`, until `signal` aborts. When the stream breaks (engine
 * restart) it reconnects after a second, replaying from the last event's second: an event may
 * come twice, none is lost while the engine keeps its history.
 */
export async function* containerEvents(docker: Docker, kindLabel: string, signal: AbortSignal, log: Logger): AsyncGenerator<RuntimeEvent> {
  let since = Math.floor(Date.now() / 1000);
  const filters = { type: ['container' as const], label: [kindLabel], event: [...ACTIONS] };
  while (!signal.aborted) {
    try {
      const stream = await docker.getEvents({ since, filters, abortSignal: signal });
      let rest = '';
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const { event, time } = parseEvent(line);
          if (time) since = time;
          if (event) yield event;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ err: dockerMessage(err) }, 'docker event stream failed');
    }
    try {
      await sleep(1000, undefined, { signal });
    } catch {
      return;
    }
  }
}
