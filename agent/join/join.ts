/**
 * Joining a cluster with a bootstrap token, as kubeadm join and the kubelet's TLS bootstrap do it:
 *   1. read cluster-info anonymously without trusting the server yet, and check its CA's public key
 *      hash against the pin (--ca-cert-hash); refuse when they differ;
 *   2. read cluster-info again over TLS verified with that CA (the server holds a certificate of it);
 *   3. exchange the bootstrap token for this node's own credential (a NodeCredentialRequest);
 *   4. keep the CA and the credential in the agent's data dir (ca.crt, node.token 0600).
 * Afterwards, and on every restart, the agent uses only the stored credential and needs no
 * bootstrap token. The agent keeps talking to the --server it was given (cluster-info's URL is the
 * server's own view of itself).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { nodeCredentialRequest, NODE_CREDENTIAL_REQUESTS_PATH, type NodeCredentialRequest } from '../../control-plane/api/node-credential-request.js';
import { ApiClient, ApiError } from '../../control-plane/client/api-client.js';
import { caCertHash } from '../../control-plane/client/certs.js';
import { fetchClusterInfo } from './discovery.js';

const CA_FILE = 'ca.crt';
const TOKEN_FILE = 'node.token';
const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export interface NodeCredential {
  token: string;
  caCertPem: string;
}

export interface JoinOptions {
  /** https://host:port of the API server. */
  server: string;
  nodeName: string;
  /** Where the CA and the node credential are kept. */
  dataDir: string;
  /** `<id>.<secret>` from `tug token create`; only needed while no credential is stored. */
  bootstrapToken?: string;
  /** `sha256:<hex>` of the cluster CA's public key; only needed while no credential is stored. */
  caCertHash?: string;
  logger: Logger;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes a file whole or not at all (temporary file, then rename). */
async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

function checkPin(pin: string, caCertPem: string, what: string, remedy: string): void {
  const actual = caCertHash(caCertPem);
  if (actual !== pin) throw new Error(`${what} has public key hash ${actual}, but --ca-cert-hash pins ${pin}: refusing to use it. ${remedy}`);
}

/** POSTs the NodeCredentialRequest; errors say whether the token was refused or not a bootstrap token. */
async function exchange(server: string, caCertPem: string, bootstrapToken: string, nodeName: string): Promise<string> {
  const client = new ApiClient({ server, token: bootstrapToken, caCertPem, userAgent: 'tug-agent-join' });
  try {
    const answer = await client.request<NodeCredentialRequest>('POST', NODE_CREDENTIAL_REQUESTS_PATH, { body: nodeCredentialRequest(nodeName) });
    const token = answer?.status?.token;
    if (typeof token !== 'string' || !token) throw new Error(`the server's answer to the NodeCredentialRequest holds no token`);
    return token;
  } catch (err) {
    if (err instanceof ApiError && err.code === 401) {
      throw new Error('the bootstrap token was refused (401 Unauthorized): it is unknown or has expired; create a new one on the control plane with `tug token create --print-join-command`');
    }
    if (err instanceof ApiError && err.code === 403) throw new Error(`--token is not a bootstrap token (403 Forbidden: ${err.message}); create one with \`tug token create\``);
    throw new Error(`cannot obtain a node credential from ${server}: ${(err as Error).message}`);
  } finally {
    client.close();
  }
}

/**
 * This node's credential: the stored one when the data dir holds it (checked against the pin when
 * one is given), otherwise a new one obtained with the bootstrap token and stored. Not safe to run
 * twice at once on one data dir. Rejects with an Error that says what failed and what to do.
 */
export async function obtainNodeCredential(opts: JoinOptions): Promise<NodeCredential> {
  const log = opts.logger.child({ component: 'join', node: opts.nodeName });
  const caFile = path.join(opts.dataDir, CA_FILE);
  const tokenFile = path.join(opts.dataDir, TOKEN_FILE);
  if (opts.caCertHash !== undefined && !HASH_PATTERN.test(opts.caCertHash)) {
    throw new Error(`--ca-cert-hash must be sha256:<64 hex digits>, got "${opts.caCertHash}"`);
  }
  const storedToken = (await readIfPresent(tokenFile))?.trim();
  const storedCA = await readIfPresent(caFile);
  if (storedToken && storedCA) {
    if (opts.caCertHash) checkPin(opts.caCertHash, storedCA, `the CA stored in ${caFile}`, `This data dir belongs to another cluster: remove ${tokenFile} and ${caFile} to join this one.`);
    log.info({ dataDir: opts.dataDir }, 'using the stored node credential');
    return { token: storedToken, caCertPem: storedCA };
  }
  if (!opts.bootstrapToken || !opts.caCertHash) {
    throw new Error(`no node credential is stored in ${opts.dataDir}: join with --token BOOTSTRAP_TOKEN --ca-cert-hash sha256:HEX (\`tug token create --print-join-command\` on the control plane prints both)`);
  }
  const unverified = await fetchClusterInfo(opts.server);
  checkPin(opts.caCertHash, unverified.caCertPem, `the cluster CA served by ${opts.server}`, 'Check that --server names the cluster you mean and that the hash is the one `tug token create --print-join-command` printed there.');
  await fetchClusterInfo(opts.server, unverified.caCertPem);
  log.info({ server: opts.server, caCertHash: opts.caCertHash }, 'cluster CA matches the pin; requesting a node credential');
  const token = await exchange(opts.server, unverified.caCertPem, opts.bootstrapToken, opts.nodeName);
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  await writeAtomically(caFile, unverified.caCertPem, 0o644);
  await writeAtomically(tokenFile, token + '\n', 0o600);
  log.info({ caFile, tokenFile }, 'joined: node credential stored');
  return { token, caCertPem: unverified.caCertPem };
}
