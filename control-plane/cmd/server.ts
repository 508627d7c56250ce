/**
 * `tug server`: the control plane process. Connects to Redis, prepares first-start state (system
 * namespaces, CA, admin token), issues its serving certificate, serves the API over HTTPS and
 * publishes cluster-info (its URL and CA) for joining nodes.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { buildApiServer } from '../apiserver/app.js';
import { createLeafCert } from '../client/certs.js';
import { ResourceService } from '../apiserver/resource-service.js';
import { nodeTokenSpec, TokenAuthenticator } from '../apiserver/tokens.js';
import { createRedisStore } from '../store/redis/redis-store.js';
import { ensureClusterCA, ensureClusterInfo, ensureDefaultStorageClass, ensureSystemNamespaces, ensureSystemPriorityClasses, ensureTokenFile } from './bootstrap.js';
import { apiServiceIP, DEFAULT_SERVICE_NETWORK } from '../apiserver/service-allocation.js';
import { ApiClient } from '../client/api-client.js';
import { startKubernetesServiceReconciler } from '../controllers/endpoints/kubernetes-service-reconciler.js';
import { CONTROLLERS, startControllerManager } from './controller-manager.js';
import { writeKubeconfig } from './kubeconfig.js';
import { VERSION } from './version.js';

export interface ServerOptions {
  /** redis://host:port, or the path of a unix socket. */
  redis: string;
  dataDir: string;
  apiPort: number;
  bindAddress: string;
  /** Where to write (merge) the admin kubeconfig; the data dir always gets one too. */
  kubeconfig?: string;
  /** Extra names and addresses for the serving certificate. */
  tlsSans: string[];
  /** Watch events kept per resource for resuming watches (older resourceVersions get 410). */
  watchHistory?: number;
  /** Which controllers run (see selectControllers); default all. */
  controllers?: string[];
  /** Addresses for LoadBalancer Services; none: they stay pending, as on Kubernetes without a cloud. */
  loadBalancerPool?: string;
  /**
   * The address this server announces as the `kubernetes` Service's endpoint and, when it listens on
   * every address, in cluster-info for joining nodes (default: the first host address).
   */
  advertiseAddress?: string;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  caCertPem: string;
  kubeconfigPath: string;
  /** This node's credential (user system:node:<name>), kept in the data dir and reused. */
  nodeToken(nodeName: string): Promise<string>;
  close(): Promise<void>;
}

/** The host's non-internal IPv4 and IPv6 addresses. */
function hostAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal)
    .map((a) => a.address.split('%')[0]!);
}

const IP = /^(\d{1,3}\.){3}\d{1,3}$|:/;

const httpsURL = (host: string, port: number) => `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.logger;
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const store = await createRedisStore({ url: opts.redis, logger: log, historyLimit: opts.watchHistory });
  try {
    const service = new ResourceService(store);
    await ensureSystemNamespaces(service);
    await ensureSystemPriorityClasses(service);
    await ensureDefaultStorageClass(service);
    const ca = await ensureClusterCA(store);
    const adminToken = await ensureTokenFile(store, path.join(opts.dataDir, 'admin.token'), {
      user: 'admin',
      groups: ['system:masters'],
      description: 'cluster administrator (tug server)',
    });
    const controllerToken = await ensureTokenFile(store, path.join(opts.dataDir, 'controller-manager.token'), {
      user: 'system:kube-controller-manager',
      groups: ['system:masters'],
      description: 'controllers of tug server',
    });
    const agentToken = await ensureTokenFile(store, path.join(opts.dataDir, 'apiserver-agent-client.token'), {
      user: 'system:apiserver',
      groups: ['system:masters'],
      description: 'the API server calling node agents (logs, exec, attach, port-forward)',
    });

    const sans = ['localhost', '127.0.0.1', '::1', os.hostname(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...hostAddresses(), ...opts.tlsSans];
    const unique = [...new Set(sans)];
    const serving = await createLeafCert(ca, {
      commonName: 'tug-apiserver',
      dnsNames: unique.filter((s) => !IP.test(s)),
      ips: unique.filter((s) => IP.test(s)),
    });
    await writeFile(path.join(opts.dataDir, 'ca.crt'), ca.certPem, { mode: 0o644 });

    const authenticator = new TokenAuthenticator(store);
    const advertised = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? '127.0.0.1' : opts.bindAddress;
    const app = await buildApiServer({
      store,
      authenticate: (t) => authenticator.authenticate(t),
      logger: log,
      https: { key: serving.keyPem, cert: serving.certPem },
      serverAddress: `${advertised}:${opts.apiPort}`,
      version: VERSION,
      agentToken,
      ready: async () => {
        await store.currentResourceVersion();
        return true;
      },
    });
    await app.listen({ port: opts.apiPort, host: opts.bindAddress });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.apiPort;
    const url = httpsURL(advertised, port);
    const advertiseAddress = opts.advertiseAddress ?? hostAddresses().find((a) => !a.includes(':'));
    const everyAddress = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::';
    await ensureClusterInfo(service, { server: everyAddress && advertiseAddress ? httpsURL(advertiseAddress, port) : url, caCertPem: ca.certPem });

    const kubeconfigPath = path.join(opts.dataDir, 'kubeconfig');
    const entry = { name: 'tugboat', server: url, caCertPem: ca.certPem, token: adminToken };
    await writeKubeconfig(kubeconfigPath, entry);
    if (opts.kubeconfig) await writeKubeconfig(opts.kubeconfig, entry);
    log.info({ url, kubeconfig: opts.kubeconfig ?? kubeconfigPath }, 'API server listening');
    const identity = `${os.hostname()}_${createHash('sha256').update(opts.dataDir).digest('hex').slice(0, 8)}`;
    const controllers = await startControllerManager({
      server: url,
      token: controllerToken,
      caCertPem: ca.certPem,
      identity,
      controllers: opts.controllers ?? Object.keys(CONTROLLERS),
      settings: { loadBalancerPool: opts.loadBalancerPool },
      logger: log,
    });
    // Every server (not only the leader) announces itself as an endpoint of the `kubernetes` Service.
    const announcer = new ApiClient({ server: url, token: controllerToken, caCertPem: ca.certPem, userAgent: 'tug-apiserver-endpoint' });
    const kubernetesService = advertiseAddress
      ? startKubernetesServiceReconciler({ client: announcer, logger: log }, { advertiseAddress, port, serviceIP: apiServiceIP(DEFAULT_SERVICE_NETWORK) })
      : undefined;
    if (!advertiseAddress) log.warn('no non-loopback IPv4 address: the kubernetes Service gets no endpoints (pass --advertise-address)');

    return {
      url,
      port,
      adminToken,
      caCertPem: ca.certPem,
      kubeconfigPath,
      nodeToken: (nodeName) => ensureTokenFile(store, path.join(opts.dataDir, `node-${nodeName}.token`), nodeTokenSpec(nodeName)),
      close: async () => {
        await kubernetesService?.stop();
        announcer.close();
        await controllers.stop();
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
