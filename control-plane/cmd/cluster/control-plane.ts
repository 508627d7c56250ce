/**
 * Reaching the control plane of a `tug cluster` from the host: its credentials come out of the
 * first node's server data dir (ca.crt, admin.token) once `tug server` has written them, and its
 * API answers at the node's address on the cluster network.
 */
import { storageResource } from '../../api/registry.js';
import { ApiClient } from '../../client/api-client.js';
import { DockerError, type DockerCli } from './docker-cli.js';
import { execInNode, NODE_PATHS } from './node-container.js';

export interface ControlPlaneAccess {
  /** https://<first node's IP>:6443 */
  server: string;
  caCertPem: string;
  adminToken: string;
}

export const API_PORT = 6443;
const POLL_MS = 200;
const NODES = storageResource('core/nodes');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Repeats `attempt` every POLL_MS until it gives a value; rejects with `what` and the last error after `deadline` (epoch ms). */
async function poll<T>(what: string, deadline: number, attempt: () => Promise<T | undefined>): Promise<T> {
  let last = '';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await sleep(POLL_MS);
  }
}

/** Reads the credentials once the server wrote them, then waits until its /readyz answers. */
export async function waitForControlPlane(docker: DockerCli, node: string, ip: string, deadline: number): Promise<ControlPlaneAccess> {
  const files = `${NODE_PATHS.serverDataDir}/ca.crt ${NODE_PATHS.serverDataDir}/admin.token`;
  const access = await poll(`tug server in ${node} to write its CA and admin token (see ${NODE_PATHS.logs}/server.log there)`, deadline, async () => {
    try {
      const text = await execInNode(docker, node, `cat ${files}`);
      // ca.crt has no final line break: the token follows its END line directly.
      const m = /^(-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----)\s*(\S+)\s*$/.exec(text);
      return m ? { server: `https://${ip}:${API_PORT}`, caCertPem: `${m[1]}\n`, adminToken: m[2]! } : undefined;
    } catch (err) {
      if (err instanceof DockerError && /No such file/i.test(err.stderr)) return undefined;
      throw err;
    }
  });
  const client = new ApiClient({ server: access.server, token: access.adminToken, caCertPem: access.caCertPem, userAgent: 'tug-cluster' });
  try {
    await poll(`the API server at ${access.server}/readyz`, deadline, async () => ((await client.request('GET', '/readyz')) ? true : undefined));
  } finally {
    client.close();
  }
  return access;
}

/**
 * Waits until each of `nodeNames` is registered with condition Ready=True; calls `onReady` once per
 * node as it turns Ready. Rejects after `deadline` naming the nodes that are not.
 */
export async function waitForReadyNodes(access: ControlPlaneAccess, nodeNames: string[], deadline: number, onReady: (node: string) => void): Promise<void> {
  const client = new ApiClient({ server: access.server, token: access.adminToken, caCertPem: access.caCertPem, userAgent: 'tug-cluster' });
  const ready = new Set<string>();
  try {
    await poll(`nodes to be Ready`, deadline, async () => {
      const list = await client.list<any>(NODES);
      for (const n of list.items) {
        const isReady = n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
        if (isReady && nodeNames.includes(n.metadata.name) && !ready.has(n.metadata.name)) {
          ready.add(n.metadata.name);
          onReady(n.metadata.name);
        }
      }
      return ready.size === nodeNames.length ? true : undefined;
    });
  } catch (err) {
    const missing = nodeNames.filter((n) => !ready.has(n));
    throw new Error(`${(err as Error).message}: not Ready: ${missing.join(', ')}. See ${NODE_PATHS.logs}/agent.log in those nodes (docker exec NODE cat ${NODE_PATHS.logs}/agent.log)`);
  } finally {
    client.close();
  }
}
