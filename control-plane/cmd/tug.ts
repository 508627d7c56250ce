#!/usr/bin/env node
/**
 * The `tug` command: the composition root of every Tugboat process. It alone reads the
 * environment and the command line, builds loggers and hands explicit options to the parts.
 *
 *   tug up       a single-node cluster in the foreground (redis-server + control plane + agent)
 *   tug server   the control plane against an existing Redis
 *   tug agent    a node agent against a control plane (joining with a bootstrap token, or with a given credential)
 *   tug token    bootstrap tokens for joining nodes (token.ts)
 *   tug cluster  multi-node clusters as Docker containers on this host (cluster/command.ts)
 *   tug reset    removes what a stopped agent left on this host (agent/reset.ts)
 *   tug version
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { startAgent } from '../../agent/agent.js';
import { obtainNodeCredential, type NodeCredential } from '../../agent/join/join.js';
import { NETWORK_BACKENDS, type NetworkBackendName } from '../../agent/network/index.js';
import { hostAddresses } from '../../agent/node/host-info.js';
import { resetNode } from '../../agent/reset.js';
import { clusterCommand } from './cluster/command.js';
import { selectControllers } from './controller-manager.js';
import { startServer } from './server.js';
import { tokenCommand } from './token.js';
import { up } from './up.js';
import { TUGBOAT_VERSION, VERSION } from './version.js';

const USAGE = `Usage: tug <command> [flags]

Commands:
  up         Start a single-node cluster in the foreground: a private redis-server with AOF,
             the control plane and a node agent; writes a kubeconfig. Ctrl-C stops everything.
  server     Run the control plane against an existing Redis (--redis URL).
  agent      Run a node agent against a control plane: join with a bootstrap token
             (--server URL --token T --ca-cert-hash sha256:HEX), or use a credential (--token T --ca-cert FILE).
  token      Bootstrap tokens for joining nodes: create, list, delete (tug token --help).
  cluster    Multi-node clusters as Docker containers on this host: create, delete, load-image,
             list (tug cluster --help).
  reset      Remove what a (stopped) agent left on this host: its pods' containers, service proxy
             chains, pod network rules, routes to other nodes and its bridge. Takes the agent's
             --bridge, --proxy-chain-prefix and --runtime-label-prefix; --keep-containers leaves
             the pods' containers.
  version    Print the version.

Flags of up and server:
  --data-dir DIR      State directory (default /var/lib/tugboat as root, else ~/.tug)
  --api-port PORT     HTTPS port of the API server (default 6443)
  --bind ADDRESS      Address to listen on (default 0.0.0.0)
  --kubeconfig PATH   Kubeconfig to write or merge into (up: default ~/.kube/config)
  --tls-san NAME      Extra name or IP for the serving certificate (repeatable)
  --redis URL         (server) redis://host:port or a unix socket path
  --watch-history N   (server) Watch events kept per resource for resuming watches (default 10000)
  --controllers LIST  (server) Controllers to run: '*' all (default), 'name' adds, '-name' removes
  --load-balancer-pool ADDRESSES  Addresses for LoadBalancer Services (CIDR, a-b range, comma list)
  --advertise-address IP  Address announced as the kubernetes Service's endpoint (default: first host address)
  --no-agent          (up) Run the control plane only

Flags of agent (and of up, for its agent):
  --server URL        (agent) API server, e.g. https://10.0.0.1:6443
  --token TOKEN       (agent) A bootstrap token (with --ca-cert-hash), or this node's credential (with --ca-cert)
  --ca-cert-hash sha256:HEX  (agent) Join: the pin of the cluster CA's public key. The agent exchanges the
                      bootstrap token for its own credential and keeps it in its data dir (ca.crt,
                      node.token); later starts use that and need neither --token nor --ca-cert-hash
  --ca-cert FILE      (agent) PEM of the cluster CA (the server's data dir has ca.crt)
  --node-name NAME    Node name (default: the host name)
  --node-ip ADDRESS   Address other nodes reach this one at (default: the first host address)
  --agent-port PORT   Port of the agent's streaming server (default 10250)
  --bridge NAME       Linux bridge for this node's pods (default tug0)
  --cluster-cidr CIDR Pod network of the cluster (default 10.244.0.0/16)
  --network-backend B (agent) How pods reach other nodes' pods: host-gw (default; routes via the
                      nodes' addresses, nodes on one L2 network) or none
  --data-dir DIR      (agent) State directory (default /var/lib/tugboat/agent as root)
  --runtime-label-prefix P  Prefix of container labels, to run several agents on one Docker engine
  --proxy-chain-prefix P    Prefix of the service proxy's iptables chains (default TUG; A-Z0-9, up to 7),
                            to run several agents on one host

Common: --log-level LEVEL (trace, debug, info, warn, error; default info; env TUG_LOG_LEVEL)
`;

function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/tugboat' : path.join(os.homedir(), '.tug');
}

function fail(message: string): never {
  process.stderr.write(`tug: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parsePort(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${flag} must be a port number, got "${value}"`);
  return n;
}

function parseNetworkBackend(value: string | undefined): NetworkBackendName {
  if (value === undefined) return 'host-gw';
  if (!(NETWORK_BACKENDS as readonly string[]).includes(value)) fail(`--network-backend must be one of ${NETWORK_BACKENDS.join(', ')}, got "${value}"`);
  return value as NetworkBackendName;
}

function logger(level: string | undefined): Logger {
  return pino({ level: level ?? process.env.TUG_LOG_LEVEL ?? 'info', base: { pid: process.pid } }, pino.destination(2));
}

const STOP_TIMEOUT_MS = 15_000;

/** Runs until SIGINT/SIGTERM, then calls `stop` and exits (forcibly if stopping hangs). */
function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      log.error({ timeoutMs: STOP_TIMEOUT_MS }, 'stop did not finish in time; exiting anyway');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'version' || command === '--version') {
    process.stdout.write(`tug ${TUGBOAT_VERSION} (Kubernetes API ${VERSION.gitVersion})\n`);
    return;
  }
  if (command === 'cluster') {
    process.exitCode = await clusterCommand(rest, { homeDir: os.homedir(), isRoot: process.getuid?.() === 0, logger, stdout: process.stdout, stderr: process.stderr });
    return;
  }
  if (command === 'token') {
    process.exitCode = await tokenCommand(rest, { kubeconfigEnv: process.env.KUBECONFIG, homeDir: os.homedir(), stdout: process.stdout, stderr: process.stderr });
    return;
  }
  if (command !== 'up' && command !== 'server' && command !== 'agent' && command !== 'reset') fail(`unknown command "${command}"`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        'data-dir': { type: 'string' },
        'api-port': { type: 'string' },
        bind: { type: 'string' },
        kubeconfig: { type: 'string' },
        'tls-san': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        redis: { type: 'string' },
        'watch-history': { type: 'string' },
        controllers: { type: 'string' },
        'load-balancer-pool': { type: 'string' },
        'advertise-address': { type: 'string' },
        'no-agent': { type: 'boolean' },
        server: { type: 'string' },
        token: { type: 'string' },
        'ca-cert': { type: 'string' },
        'ca-cert-hash': { type: 'string' },
        'node-name': { type: 'string' },
        'node-ip': { type: 'string' },
        'agent-port': { type: 'string' },
        bridge: { type: 'string' },
        'cluster-cidr': { type: 'string' },
        'runtime-label-prefix': { type: 'string' },
        'proxy-chain-prefix': { type: 'string' },
        'network-backend': { type: 'string' },
        'keep-containers': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const log = logger(values['log-level']);
  const agentOptions = () => ({
    nodeName: (values['node-name'] ?? os.hostname()).toLowerCase(),
    nodeIP: values['node-ip'] ?? hostAddresses()[0] ?? fail('no host address found: pass --node-ip'),
    agentPort: parsePort('--agent-port', values['agent-port'], 10250),
    bridge: values.bridge ?? 'tug0',
    clusterCIDR: values['cluster-cidr'] ?? '10.244.0.0/16',
    runtimeLabelPrefix: values['runtime-label-prefix'],
    proxyChainPrefix: values['proxy-chain-prefix'],
  });

  if (command === 'reset') {
    const { bridge, proxyChainPrefix, runtimeLabelPrefix } = agentOptions();
    await resetNode({
      bridge,
      proxyChainPrefix,
      runtimeLabelPrefix,
      keepContainers: values['keep-containers'],
      logger: log,
    });
    return;
  }

  if (command === 'agent') {
    const server = values.server ?? fail('agent needs --server URL');
    if (values['ca-cert'] && values['ca-cert-hash']) fail('--ca-cert and --ca-cert-hash exclude each other: --ca-cert goes with a credential, --ca-cert-hash with a bootstrap token');
    const options = agentOptions();
    const dataDir = path.resolve(values['data-dir'] ?? (process.getuid?.() === 0 ? '/var/lib/tugboat/agent' : path.join(os.homedir(), '.tug', 'agent')));
    const credential: NodeCredential = values['ca-cert']
      ? { token: values.token ?? fail('--ca-cert needs --token TOKEN (the credential)'), caCertPem: readFileSync(values['ca-cert'], 'utf8') }
      : await obtainNodeCredential({ server, nodeName: options.nodeName, dataDir, bootstrapToken: values.token, caCertHash: values['ca-cert-hash'], logger: log });
    const agent = await startAgent({
      ...options,
      server,
      token: credential.token,
      caCertPem: credential.caCertPem,
      dataDir,
      agentVersion: VERSION.gitVersion,
      networkBackend: parseNetworkBackend(values['network-backend']),
      logger: log,
    });
    stopOnSignals(log, agent.stop);
    return;
  }

  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const apiPort = parsePort('--api-port', values['api-port'], 6443);
  const bindAddress = values.bind ?? '0.0.0.0';
  const tlsSans = values['tls-san'] ?? [];

  if (command === 'server') {
    if (!values.redis) fail('server needs --redis URL (redis://host:port or a unix socket path)');
    const watchHistory = values['watch-history'] === undefined ? undefined : Number(values['watch-history']);
    if (watchHistory !== undefined && (!Number.isInteger(watchHistory) || watchHistory < 10)) fail('--watch-history must be an integer of at least 10');
    let controllers: string[];
    try {
      controllers = selectControllers(values.controllers ?? '*');
    } catch (err) {
      fail((err as Error).message);
    }
    const server = await startServer({
      redis: values.redis,
      dataDir,
      apiPort,
      bindAddress,
      kubeconfig: values.kubeconfig,
      tlsSans,
      watchHistory,
      controllers,
      loadBalancerPool: values['load-balancer-pool'],
      advertiseAddress: values['advertise-address'],
      logger: log,
    });
    stopOnSignals(log, server.close);
    return;
  }

  const kubeconfig = path.resolve(values.kubeconfig ?? path.join(os.homedir(), '.kube', 'config'));
  const cluster = await up({
    dataDir,
    apiPort,
    bindAddress,
    kubeconfig,
    tlsSans,
    loadBalancerPool: values['load-balancer-pool'],
    agent: values['no-agent'] ? undefined : agentOptions(),
    logger: log,
  });
  stopOnSignals(log, cluster.stop);
  process.stdout.write(
    `Tugboat is up: ${cluster.server.url}\n` +
      `kubeconfig: ${kubeconfig} (context "tugboat")\n` +
      `Try: kubectl --kubeconfig ${kubeconfig} get nodes\n` +
      `Press Ctrl-C to stop.\n`,
  );
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`tug: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
