#!/usr/bin/env node
/**
 * The `tug` command: the composition root of every Tugboat process. It alone reads the
 * environment and the command line, builds loggers and hands explicit options to the parts.
 *
 *   tug up       a single-node cluster in the foreground (redis-server + control plane)
 *   tug server   the control plane against an existing Redis
 *   tug version
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { startServer } from './server.js';
import { up } from './up.js';
import { TUGBOAT_VERSION, VERSION } from './version.js';

const USAGE = `Usage: tug <command> [flags]

Commands:
  up         Start a single-node cluster in the foreground: a private redis-server with AOF
             and the control plane; writes a kubeconfig. Ctrl-C stops everything.
  server     Run the control plane against an existing Redis (--redis URL).
  version    Print the version.

Flags (up, server):
  --data-dir DIR      State directory (default /var/lib/tugboat as root, else ~/.tug)
  --api-port PORT     HTTPS port of the API server (default 6443)
  --bind ADDRESS      Address to listen on (default 0.0.0.0)
  --kubeconfig PATH   Kubeconfig to write or merge into (up: default ~/.kube/config)
  --tls-san NAME      Extra name or IP for the serving certificate (repeatable)
  --log-level LEVEL   trace, debug, info, warn, error (default info; env TUG_LOG_LEVEL)
  --redis URL         (server) redis://host:port or a unix socket path
  --watch-history N   Watch events kept per resource for resuming watches (default 10000)
`;

function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/tugboat' : path.join(os.homedir(), '.tug');
}

function fail(message: string): never {
  process.stderr.write(`tug: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--api-port must be a port number, got "${value}"`);
  return n;
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
  if (command !== 'up' && command !== 'server') fail(`unknown command "${command}"`);
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
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const log = logger(values['log-level']);
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const apiPort = parsePort(values['api-port'], 6443);
  const bindAddress = values.bind ?? '0.0.0.0';
  const tlsSans = values['tls-san'] ?? [];
  const watchHistory = values['watch-history'] === undefined ? undefined : Number(values['watch-history']);
  if (watchHistory !== undefined && (!Number.isInteger(watchHistory) || watchHistory < 10)) fail('--watch-history must be an integer of at least 10');

  if (command === 'server') {
    if (!values.redis) fail('server needs --redis URL (redis://host:port or a unix socket path)');
    const server = await startServer({ redis: values.redis, dataDir, apiPort, bindAddress, kubeconfig: values.kubeconfig, tlsSans, watchHistory, logger: log });
    stopOnSignals(log, server.close);
    return;
  }

  const kubeconfig = path.resolve(values.kubeconfig ?? path.join(os.homedir(), '.kube', 'config'));
  const cluster = await up({ dataDir, apiPort, bindAddress, kubeconfig, tlsSans, logger: log });
  stopOnSignals(log, cluster.stop);
  process.stdout.write(
    `Tugboat is up: ${cluster.server.url}\n` +
      `kubeconfig: ${kubeconfig} (context "tugboat")\n` +
      `Try: kubectl --kubeconfig ${kubeconfig} get namespaces\n` +
      `Press Ctrl-C to stop.\n`,
  );
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`tug: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
