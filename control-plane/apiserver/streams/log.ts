/**
 * GET pods/{name}/log: checks the PodLogOptions as upstream validates them, then proxies the
 * agent's /containerLogs stream (text/plain, chunked while following, until the agent or the
 * client ends it). A pod not bound to a node has no log yet: an empty answer, as upstream.
 */
import type { FastifyReply } from 'fastify';
import { rfc3339Problem } from '../../api/schema/index.js';
import { badRequest, invalid, type FieldError } from '../../api/status.js';
import type { Store } from '../../store/store.js';
import { boolParam, intParam, param, type Query } from '../query.js';
import type { AgentDialer } from './agent-dialer.js';
import { agentEndpoint, getPod, resolveContainer } from './locate.js';

/** The agent's query for a log request; 422 PodLogOptions for values upstream refuses. */
export function agentLogQuery(q: Query, podName: string): URLSearchParams {
  const out = new URLSearchParams();
  const errors: FieldError[] = [];
  for (const name of ['follow', 'previous', 'timestamps']) if (boolParam(q, name)) out.set(name, 'true');
  const tailLines = intParam(q, 'tailLines');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceTime = param(q, 'sinceTime') || undefined;
  if (tailLines !== undefined) {
    if (tailLines < 0) errors.push({ type: 'FieldValueInvalid', field: 'tailLines', message: `Invalid value: ${tailLines}: must be greater than or equal to 0` });
    out.set('tailLines', String(tailLines));
  }
  if (limitBytes !== undefined) {
    if (limitBytes < 1) errors.push({ type: 'FieldValueInvalid', field: 'limitBytes', message: `Invalid value: ${limitBytes}: must be greater than 0` });
    out.set('limitBytes', String(limitBytes));
  }
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) errors.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
    out.set('sinceSeconds', String(sinceSeconds));
  }
  if (sinceTime !== undefined) {
    const problem = rfc3339Problem(sinceTime);
    if (problem) throw badRequest(problem);
    if (sinceSeconds !== undefined) errors.push({ type: 'FieldValueForbidden', field: '', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
    out.set('sinceTime', sinceTime);
  }
  if (errors.length) throw invalid('PodLogOptions', '', podName, errors);
  return out;
}

export async function serveLog(reply: FastifyReply, store: Pick<Store, 'get'>, dialer: AgentDialer, namespace: string, name: string, q: Query): Promise<void> {
  const pod = await getPod(store, namespace, name);
  const container = resolveContainer(pod, param(q, 'container'));
  const query = agentLogQuery(q, name);
  const endpoint = await agentEndpoint(store, pod);
  reply.header('Content-Type', 'text/plain');
  if (!endpoint) return reply.code(200).send('');
  const log = await dialer.get(endpoint, `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`, query);
  // The client leaving ends the agent's stream too.
  reply.raw.once('close', () => log.destroy());
  return reply.code(200).send(log);
}
