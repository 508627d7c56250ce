/**
 * Cluster DNS for one node: answers the cluster zone from Services, EndpointSlices and Namespaces
 * (informers on the API) as CoreDNS's kubernetes plugin does, and forwards every other name to the
 * host's resolvers through a small cache. The composition of proxy/dns; see kubernetes-zone.ts
 * for the records and handler.ts for the protocol.
 */
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Logger } from 'pino';
import { storageResource } from '../../control-plane/api/registry.js';
import type { ApiClient } from '../../control-plane/client/api-client.js';
import { Informer } from '../../control-plane/client/informer.js';
import { DnsCache } from './cache.js';
import { ClusterIndex } from './cluster-index.js';
import { Forwarder } from './forwarder.js';
import { DnsHandler } from './handler.js';
import { KubernetesZone } from './kubernetes-zone.js';
import { startListeners, type ListenAddress } from './listeners.js';
import { hostResolvers } from './resolv-conf.js';
import { formatUpstream, parseUpstream } from './upstream.js';

export type { ListenAddress } from './listeners.js';

export interface ClusterDNSOptions {
  client: ApiClient;
  /** Where to answer, UDP and TCP each; port 0 picks a free port. */
  listen: ListenAddress[];
  /** The cluster domain (default cluster.local). */
  zone?: string;
  /** Resolvers for other names, `IP` or `IP:port` (default: the host's, see resolv-conf.ts). */
  upstreams?: string[];
  /** Per upstream exchange (default 2000 ms; two rounds over all upstreams). */
  upstreamTimeoutMs?: number;
  logger: Logger;
}

export interface ClusterDNS {
  /** Where it listens, ports filled in. */
  addresses: ListenAddress[];
  /** Resolves once Services, EndpointSlices and Namespaces have been listed (until then unknown cluster names are SERVFAIL). */
  waitForSync(): Promise<void>;
  /** Closes the sockets and stops the informers. */
  stop(): Promise<void>;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

function informerOf<T extends { metadata?: any }>(
  client: ApiClient,
  storage: string,
  log: Logger,
  put: (obj: T) => void,
  remove: (obj: T) => void,
): Informer<T & { metadata: any }> {
  const informer = new Informer<T & { metadata: any }>(client, storageResource(storage), log.child({ informer: storage }));
  informer.addHandlers({ onAdd: put, onUpdate: (_old, obj) => put(obj), onDelete: remove });
  return informer;
}

/**
 * Binds the listeners (rejects when an address or port is unavailable), then starts the
 * informers in the background and resolves; names outside the zone are answered at once.
 */
export async function startClusterDNS(opts: ClusterDNSOptions): Promise<ClusterDNS> {
  const log = opts.logger.child({ component: 'dns' });
  const index = new ClusterIndex();
  const informers = [
    informerOf<Service>(opts.client, 'core/services', log, (s) => index.putService(s), (s) => index.deleteService(s)),
    informerOf<EndpointSlice>(opts.client, 'discovery.k8s.io/endpointslices', log, (s) => index.putSlice(s), (s) => index.deleteSlice(s)),
    informerOf<Namespace>(opts.client, 'core/namespaces', log, (n) => index.putNamespace(n.metadata!.name!), (n) => index.deleteNamespace(n.metadata!.name!)),
  ];

  const own = (s: { address: string; port: number }) => opts.listen.some((l) => l.port === s.port && (l.address === s.address || UNSPECIFIED.has(l.address)));
  const upstreams = (opts.upstreams ?? (await hostResolvers())).map(parseUpstream).filter((s) => !own(s));
  if (!upstreams.length) log.warn('no upstream resolver: names outside the cluster zone will fail');
  const forwarder = new Forwarder({ upstreams, cache: new DnsCache(), timeoutMs: opts.upstreamTimeoutMs, logger: log });
  const zone = new KubernetesZone({
    zone: opts.zone ?? 'cluster.local',
    index,
    synced: () => informers.every((i) => i.hasSynced()),
    nameservers: opts.listen.map((l) => l.address).filter((a) => !UNSPECIFIED.has(a)),
    upstream: forwarder.lookup,
  });
  const handler = new DnsHandler({ zone, forwarder, logger: log });
  const listeners = await startListeners(opts.listen, (packet, transport) => handler.handle(packet, transport), log);
  for (const i of informers) i.start();
  log.info({ listen: listeners.addresses, zone: zone.zone, upstreams: upstreams.map(formatUpstream) }, 'cluster DNS listening');
  return {
    addresses: listeners.addresses,
    waitForSync: async () => {
      await Promise.all(informers.map((i) => i.waitForSync()));
    },
    stop: async () => {
      await listeners.close();
      for (const i of informers) i.stop();
    },
  };
}
