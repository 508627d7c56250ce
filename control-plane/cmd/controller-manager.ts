/**
 * The controllers and their shared informers, run inside `tug server` against its own API with a
 * dedicated credential (user system:kube-controller-manager).
 */
import type { Logger } from 'pino';
import { RESOURCES } from '../api/registry.js';
import { ApiClient } from '../client/api-client.js';
import type { ControllerHandle } from '../client/controller.js';
import { Informer } from '../client/informer.js';
import { startNamespaceController } from '../controllers/namespace.js';
import { startNodeIpamController } from '../controllers/node-ipam.js';

export interface ControllerManagerOptions {
  server: string;
  token: string;
  caCertPem: string;
  logger: Logger;
}

export interface ControllerManager {
  stop(): Promise<void>;
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const log = opts.logger.child({ component: 'controller-manager' });
  const client = new ApiClient({ server: opts.server, token: opts.token, caCertPem: opts.caCertPem, userAgent: 'tug-controller-manager' });
  const namespaces = new Informer(client, RESOURCES.find((r) => r.plural === 'namespaces')!, log);
  const nodes = new Informer(client, RESOURCES.find((r) => r.plural === 'nodes')!, log);
  const controllers: ControllerHandle[] = [startNamespaceController(client, namespaces, log), startNodeIpamController(client, nodes, log)];
  const informers = [namespaces, nodes];
  for (const i of informers) i.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  log.info({ controllers: controllers.length }, 'controllers running');
  return {
    stop: async () => {
      for (const i of informers) i.stop();
      await Promise.all(controllers.map((c) => c.stop()));
      client.close();
    },
  };
}
