/**
 * `tug token create|list|delete`: bootstrap tokens, kept through the API with an admin credential
 * (kubeadm token's counterpart). A bootstrap token is generated here, stored hashed (tokens.ts's
 * format) as user system:bootstrap:<id> in group system:bootstrappers, and shown once; with it a
 * new node obtains its own credential (`tug agent --server URL --token T --ca-cert-hash sha256:HEX`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLUSTER_INFO, parseClusterInfo } from '../api/cluster-info.js';
import { parseGoDuration } from '../api/go-duration.js';
import { findResource } from '../api/registry.js';
import { bootstrapTokenSpec, issueToken, TOKEN_NAMESPACE, TOKEN_SECRET_TYPE, tokenInfo, tokenSecretName } from '../apiserver/tokens.js';
import { ApiClient, isNotFound, readKubeconfig } from '../client/api-client.js';
import { caCertHash } from '../client/certs.js';

const secrets = findResource('', 'v1', 'secrets')!;
const configmaps = findResource('', 'v1', 'configmaps')!;

export interface BootstrapTokenOptions {
  /** Lifetime in seconds; undefined: the token never expires. */
  ttlSeconds?: number;
  description?: string;
}

/** Creates a bootstrap token through `client`; returns it (the server keeps only its hash). Not idempotent. */
export async function createBootstrapToken(client: ApiClient, opts: BootstrapTokenOptions, now = new Date()): Promise<string> {
  const { token, secret } = issueToken((id) => bootstrapTokenSpec(id, opts), now);
  await client.create(secrets, TOKEN_NAMESPACE, secret);
  return token;
}

/**
 * The command a new node runs to join with `token`: the server URL the control plane announces in
 * cluster-info, and the hash of `caCertPem` (the CA the caller trusts the server by).
 */
export async function joinCommand(client: ApiClient, caCertPem: string, token: string): Promise<string> {
  const { server } = parseClusterInfo(await client.get(configmaps, CLUSTER_INFO.namespace, CLUSTER_INFO.name));
  return `tug agent --server ${server} --token ${token} --ca-cert-hash ${caCertHash(caCertPem)}`;
}

/** A table of every stored token (bootstrap tokens, node credentials, the server's own): ids, never secrets. */
export async function tokenTable(client: ApiClient, now = new Date()): Promise<string> {
  const list = await client.list(secrets, TOKEN_NAMESPACE, { fieldSelector: `type=${TOKEN_SECRET_TYPE}` });
  const rows = [['ID', 'EXPIRES', 'USER', 'GROUPS', 'DESCRIPTION']];
  for (const info of list.items.map(tokenInfo)) {
    if (!info) continue;
    const expired = info.expiration !== undefined && Date.parse(info.expiration) <= now.getTime();
    rows.push([info.id, info.expiration ? `${info.expiration}${expired ? ' (expired)' : ''}` : '<never>', info.user, info.groups.join(','), info.description ?? '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n';
}

/** Deletes the token with this id (or the token itself, `<id>.<secret>`); servers stop accepting it within their 10 s authentication cache. */
export async function deleteToken(client: ApiClient, idOrToken: string): Promise<void> {
  const id = idOrToken.split('.')[0]!;
  if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`"${idOrToken}" is not a token id (6 lower-case letters and digits) or a token`);
  try {
    await client.delete(secrets, TOKEN_NAMESPACE, tokenSecretName(id));
  } catch (err) {
    if (isNotFound(err)) throw new Error(`no token with id ${id} (tug token list shows them)`);
    throw err;
  }
}

const USAGE = `Usage: tug token <create|list|delete> [flags]

  tug token create [--ttl DURATION] [--description TEXT] [--print-join-command]
      Creates a bootstrap token (user system:bootstrap:<id>, group system:bootstrappers) and prints
      it once. It expires after --ttl (default 24h; 0: never). --print-join-command prints the whole
      command a new node runs: tug agent --server URL --token TOKEN --ca-cert-hash sha256:HEX
  tug token list
      Lists the stored tokens: ids, users, groups, expiry (never secrets).
  tug token delete ID
      Deletes a token (its id, or the whole token).

Every subcommand talks to the API with an admin kubeconfig: --kubeconfig PATH, else the first
existing file of $KUBECONFIG, else ~/.kube/config.
`;

export interface TokenCommandContext {
  /** $KUBECONFIG, as the composition root read it. */
  kubeconfigEnv?: string;
  homeDir: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The admin kubeconfig: --kubeconfig, else the first existing file of $KUBECONFIG, else ~/.kube/config. */
function adminKubeconfig(flag: string | undefined, ctx: TokenCommandContext): string {
  if (flag) return path.resolve(flag);
  const fromEnv = (ctx.kubeconfigEnv ?? '').split(path.delimiter).filter(Boolean);
  return path.resolve(fromEnv.find((f) => existsSync(f)) ?? path.join(ctx.homeDir, '.kube', 'config'));
}

class UsageError extends Error {}

/** `tug token …` with `argv` after "token"; resolves to the exit code (2: usage, 1: failure). */
export async function tokenCommand(argv: string[], ctx: TokenCommandContext): Promise<number> {
  try {
    await run(argv, ctx);
    return 0;
  } catch (err) {
    ctx.stderr.write(`tug token: ${(err as Error).message}\n${err instanceof UsageError ? `\n${USAGE}` : ''}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

async function run(argv: string[], ctx: TokenCommandContext): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ttl: { type: 'string' }, description: { type: 'string' }, kubeconfig: { type: 'string' }, 'print-join-command': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    ctx.stdout.write(USAGE);
    return;
  }
  const [sub, ...args] = positionals;
  if (sub !== 'create' && sub !== 'list' && sub !== 'delete') throw new UsageError(`needs create, list or delete, got "${sub ?? ''}"`);
  if (sub === 'delete' && args.length !== 1) throw new UsageError('delete needs exactly one token id');
  if (sub !== 'delete' && args.length !== 0) throw new UsageError(`unexpected arguments: ${args.join(' ')}`);
  let ttlMs = 0;
  if (sub === 'create') {
    try {
      ttlMs = parseGoDuration(values.ttl ?? '24h');
    } catch (err) {
      throw new UsageError(`--ttl: ${(err as Error).message} (e.g. 30m, 24h, 0 for never)`);
    }
    if (ttlMs < 0) throw new UsageError('--ttl must not be negative');
  }
  const file = adminKubeconfig(values.kubeconfig, ctx);
  const config = readKubeconfig(file);
  const client = new ApiClient({ ...config, userAgent: 'tug-token' });
  try {
    if (sub === 'list') {
      ctx.stdout.write(await tokenTable(client));
    } else if (sub === 'delete') {
      await deleteToken(client, args[0]!);
      ctx.stdout.write(`token ${args[0]!.split('.')[0]} deleted\n`);
    } else {
      if (values['print-join-command'] && !config.caCertPem) throw new Error(`--print-join-command needs the cluster CA, and kubeconfig ${file} has no certificate-authority-data`);
      const token = await createBootstrapToken(client, { ttlSeconds: ttlMs === 0 ? undefined : ttlMs / 1000, description: values.description });
      ctx.stdout.write((values['print-join-command'] ? await joinCommand(client, config.caCertPem!, token) : token) + '\n');
    }
  } finally {
    client.close();
  }
}
