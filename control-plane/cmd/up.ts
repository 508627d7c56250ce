/**
 * `tug up`: a whole single-node cluster in one foreground command — a private redis-server (AOF,
 * unix socket in the data dir), the control plane and a node agent — with a kubeconfig written
 * for kubectl. Ctrl-C (SIGINT) or SIGTERM stops everything it started; pods keep running and the
 * next `tug up` adopts them.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { startAgent, type RunningAgent } from '../../agent/agent.js';
import { startRedisProcess } from './redis-process.js';
import { startServer, type RunningServer } from './server.js';
import { TUGBOAT_VERSION } from './version.js';

export interface UpAgentOptions {
  nodeName: string;
  nodeIP: string;
  agentPort: number;
  bridge: string;
  clusterCIDR: string;
  runtimeLabelPrefix?: string;
  proxyChainPrefix?: string;
}

export interface UpOptions {
  dataDir: string;
  apiPort: number;
  bindAddress: string;
  kubeconfig: string;
  tlsSans: string[];
  loadBalancerPool?: string;
  /** Absent: control plane only (no pods run). */
  agent?: UpAgentOptions;
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
  let server: RunningServer | undefined;
  let agent: RunningAgent | undefined;
  const stop = async () => {
    await agent?.stop();
    await server?.close();
    await redis.stop();
  };
  try {
    log.info({ port: opts.apiPort }, 'starting API server');
    server = await startServer({
      redis: redis.socketPath,
      dataDir: opts.dataDir,
      apiPort: opts.apiPort,
      bindAddress: opts.bindAddress,
      kubeconfig: opts.kubeconfig,
      tlsSans: opts.tlsSans,
      loadBalancerPool: opts.loadBalancerPool,
      logger: log,
    });
    if (opts.agent) {
      log.info({ node: opts.agent.nodeName }, 'starting node agent');
      agent = await startAgent({
        ...opts.agent,
        server: `https://127.0.0.1:${server.port}`,
        token: await server.nodeToken(opts.agent.nodeName),
        caCertPem: server.caCertPem,
        dataDir: path.join(opts.dataDir, 'agent'),
        agentVersion: `v1.33.0-tugboat.${TUGBOAT_VERSION}`,
        logger: log,
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, stop };
}
