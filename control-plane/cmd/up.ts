/**
 * `tug up`: a whole single-node cluster in one foreground command — a private redis-server (AOF,
 * unix socket in the data dir) and the control plane — with a kubeconfig written for kubectl.
 * Ctrl-C (SIGINT) or SIGTERM stops everything it started.
 */
import type { Logger } from 'pino';
import { startRedisProcess } from './redis-process.js';
import { startServer, type RunningServer } from './server.js';

export interface UpOptions {
  dataDir: string;
  apiPort: number;
  bindAddress: string;
  kubeconfig: string;
  tlsSans: string[];
  logger: Logger;
}

export interface RunningCluster {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function up(opts: UpOptions): Promise<RunningCluster> {
  const log = opts.logger;
  log.info({ dataDir: opts.dataDir }, 'starting redis-server');
  const redis = await startRedisProcess(opts.dataDir, log);
  let server: RunningServer;
  try {
    log.info({ port: opts.apiPort }, 'starting API server');
    server = await startServer({
      redis: redis.socketPath,
      dataDir: opts.dataDir,
      apiPort: opts.apiPort,
      bindAddress: opts.bindAddress,
      kubeconfig: opts.kubeconfig,
      tlsSans: opts.tlsSans,
      logger: log,
    });
  } catch (err) {
    await redis.stop();
    throw err;
  }
  return {
    server,
    stop: async () => {
      await server.close();
      await redis.stop();
    },
  };
}
