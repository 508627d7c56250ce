/**
 * How each node's agent joins the cluster: as on any host, with a bootstrap token and the hash of
 * the cluster CA (`tug agent --token … --ca-cert-hash sha256:…`); the agent exchanges the token
 * for a node credential of its own, which it keeps in its data dir for later starts. `tug cluster
 * create` writes the agent's flags to /etc/tugboat/agent.args in the node; the node's entrypoint
 * starts `tug agent` with them, again after every restart of the node container.
 */
import { ApiClient } from '../../client/api-client.js';
import { caCertHash } from '../../client/certs.js';
import { createBootstrapToken } from '../token.js';
import type { ControlPlaneAccess } from './control-plane.js';
import type { DockerCli } from './docker-cli.js';
import { execInNode, NODE_PATHS } from './node-container.js';

export interface JoiningNode {
  name: string;
  ip: string;
}

/** What agents join with. */
export interface JoinToken {
  server: string;
  /** A bootstrap token. */
  token: string;
  /** sha256:<hex> of the cluster CA's public key. */
  caCertHash: string;
}

/** The bootstrap token's lifetime: the nodes of `create` join within it; restarted nodes use their own credential. */
const JOIN_TOKEN_TTL_SECONDS = 3600;

/** Creates the bootstrap token the nodes of a new cluster join with, through the admin credential. */
export async function createJoinToken(access: ControlPlaneAccess): Promise<JoinToken> {
  const client = new ApiClient({ server: access.server, token: access.adminToken, caCertPem: access.caCertPem, userAgent: 'tug-cluster' });
  try {
    const token = await createBootstrapToken(client, { ttlSeconds: JOIN_TOKEN_TTL_SECONDS, description: 'nodes of tug cluster create' });
    return { server: access.server, token, caCertHash: caCertHash(access.caCertPem) };
  } finally {
    client.close();
  }
}

/** The agent flags of `node`. */
export function agentJoinArgs(join: JoinToken, node: JoiningNode): string[] {
  return ['--server', join.server, '--token', join.token, '--ca-cert-hash', join.caCertHash, '--node-name', node.name, '--node-ip', node.ip];
}

/**
 * Writes the agent's flags, one per line, into `node` (atomically, by rename); the agent starts as
 * soon as the file appears. Idempotent: writing again replaces the file, but a running agent keeps
 * the flags it started with until the node restarts.
 */
export async function writeJoinConfig(docker: DockerCli, join: JoinToken, node: JoiningNode): Promise<void> {
  const args = agentJoinArgs(join, node);
  if (args.some((a) => a.includes('\n'))) throw new Error(`an agent flag of ${node.name} holds a line break: ${JSON.stringify(args)}`);
  const tmp = `${NODE_PATHS.agentArgs}.tmp`;
  await execInNode(docker, node.name, `mkdir -p "$(dirname ${NODE_PATHS.agentArgs})" && cat > ${tmp} && mv ${tmp} ${NODE_PATHS.agentArgs}`, `${args.join('\n')}\n`);
}
