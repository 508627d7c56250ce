/**
 * The service proxy of one node: watches Services and EndpointSlices and keeps the node's iptables
 * rules equal to renderRules() of what it sees. Every change schedules a sync (debounced, so a burst
 * syncs once); a sync renders the whole rule set and applies it with one iptables-restore, or none
 * when nothing changed (iptables.ts), then clears the UDP conntrack entries the change left stale.
 * Syncs run one at a time; a failed sync is retried (after 1 s, doubling up to 30 s), and a periodic
 * sync re-checks the hooks. Rules are kept when the proxy stops, so service traffic flows while an
 * agent restarts; stop({ removeRules: true }) removes them (a node leaving). Serves the Services
 * without a service.kubernetes.io/service-proxy-name label, or those naming serviceProxyName.
 */
import { performance } from 'node:perf_hooks';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Logger } from 'pino';
import { storageResource } from '../control-plane/api/registry.js';
import type { ApiClient } from '../control-plane/client/api-client.js';
import { Informer } from '../control-plane/client/informer.js';
import type { InformerFactory } from '../control-plane/client/informer-factory.js';
import { chainNames } from './chains.js';
import { staleUdpFlows } from './conntrack.js';
import { createProxyHost, type ProxyHost } from './host.js';
import { createRuleApplier } from './iptables.js';
import { buildServicePorts, type ServicePort } from './model.js';
import { renderServicePorts, type RenderOptions } from './render.js';

const SERVICES = 'core/services';
const SLICES = 'discovery.k8s.io/endpointslices';
/**
 * The label naming the proxy that serves a Service (and its EndpointSlices, which carry their
 * Service's labels), as upstream: the default proxy serves only Services without it.
 */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
/** EndpointSlices of headless Services carry this label; no proxy serves them. */
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** Wait before retrying a failed sync: doubles per failure up to the maximum. */
const RETRY_MS = { first: 1_000, max: 30_000 };
const CONNTRACK_CONCURRENCY = 4;

export interface ServiceProxyOptions extends RenderOptions {
  client: ApiClient;
  /**
   * Shared informers (the caller starts the factory); when absent the proxy runs its own on
   * Services and EndpointSlices.
   */
  informers?: InformerFactory;
  /** This node's name: its endpoints are the local ones. */
  nodeName: string;
  /**
   * Serve only Services labelled service.kubernetes.io/service-proxy-name=<this>; by default, only
   * those without the label (as kube-proxy).
   */
  serviceProxyName?: string;
  /** Wait after a change before syncing, in ms (default 50). */
  debounceMs?: number;
  /** Sync at least this often, re-checking the hooks, in ms (default 30 s). */
  resyncIntervalMs?: number;
  /** The OS boundary (default: the real one). */
  host?: ProxyHost;
  logger: Logger;
}

export interface ServiceProxy {
  /** Syncs as soon as the sync in progress (if any) is done; rejects when that sync fails. */
  syncNow(): Promise<void>;
  /** How long the last successful sync took (render + apply + conntrack), in ms. */
  readonly lastSyncMs: number | undefined;
  /** Stops watching and syncing, after the sync in progress. `removeRules`: also remove every rule. */
  stop(opts?: { removeRules?: boolean }): Promise<void>;
}

/** Sets the sysctls service traffic needs; failures are logged (the host may be set up already). */
async function prepareHost(host: ProxyHost, localhostNodePorts: boolean, log: Logger): Promise<void> {
  const sysctls: [string, string][] = [
    ['net/ipv4/ip_forward', '1'],
    // Pod-to-pod traffic through a Service crosses the bridge: it must see the nat rules.
    ['net/bridge/bridge-nf-call-iptables', '1'],
    ...(localhostNodePorts ? [['net/ipv4/conf/all/route_localnet', '1'] as [string, string]] : []),
  ];
  for (const [name, value] of sysctls) {
    await host.setSysctl(name, value).catch((err: Error) => log.warn({ sysctl: name, err: err.message }, 'could not set sysctl'));
  }
}

/** Whether an object's labels say it is for the proxy named `name` (undefined: the default proxy). */
function forProxy(name: string | undefined): (obj: { metadata?: { labels?: Record<string, string> } }) => boolean {
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return labels[SERVICE_PROXY_NAME_LABEL] === name && !(HEADLESS_LABEL in labels);
  };
}

/**
 * Starts the proxy: resolves after the first lists of Services and EndpointSlices and the first
 * sync (whose failure is logged and retried, not thrown).
 */
export async function startServiceProxy(opts: ServiceProxyOptions): Promise<ServiceProxy> {
  const log = opts.logger.child({ component: 'proxy', node: opts.nodeName });
  const host = opts.host ?? createProxyHost();
  const applier = createRuleApplier({ host, prefix: opts.prefix });
  const names = chainNames(opts.prefix);
  const debounceMs = opts.debounceMs ?? 50;
  await prepareHost(host, opts.localhostNodePorts ?? true, log);

  const own = !opts.informers;
  const proxyName = opts.serviceProxyName;
  // Own informers list only what this proxy serves; shared ones list everything and are filtered.
  const selector = proxyName === undefined ? `!${SERVICE_PROXY_NAME_LABEL}` : `${SERVICE_PROXY_NAME_LABEL}=${proxyName}`;
  const ownInformer = (storage: string, labelSelector: string) => new Informer(opts.client, storageResource(storage), log.child({ informer: storage }), { labelSelector });
  const services: Informer<Service & { metadata: any }> = opts.informers?.of(SERVICES) ?? ownInformer(SERVICES, selector);
  const slices: Informer<EndpointSlice & { metadata: any }> = opts.informers?.of(SLICES) ?? ownInformer(SLICES, `${selector},!${HEADLESS_LABEL}`);
  const mine = forProxy(proxyName);

  let stopped = false;
  let lastSyncMs: number | undefined;
  let lastPorts: ServicePort[] | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let retryMs = RETRY_MS.first;
  /** The sync chain: each sync starts after the previous one settled. */
  let tail: Promise<void> = Promise.resolve();
  /** A sync queued and not started yet: further requests join it. */
  let queued: Promise<void> | undefined;

  async function sync(): Promise<void> {
    const started = performance.now();
    const ports = buildServicePorts(services.list().filter(mine), slices.list().filter(mine), { nodeName: opts.nodeName });
    const rules = renderServicePorts(ports, opts, names);
    const renderMs = performance.now() - started;
    const result = await applier.apply(rules);
    // On the first sync there is no earlier state to compare with: nothing is known stale.
    const stale = lastPorts ? staleUdpFlows(lastPorts, ports) : [];
    lastPorts = ports;
    for (let i = 0; i < stale.length; i += CONNTRACK_CONCURRENCY) {
      await Promise.all(
        stale.slice(i, i + CONNTRACK_CONCURRENCY).map((filter) => host.conntrackDelete(filter).catch((err: Error) => log.warn({ filter: filter.join(' '), err: err.message }, 'conntrack cleanup failed'))),
      );
    }
    lastSyncMs = performance.now() - started;
    retryMs = RETRY_MS.first;
    const fields = { ms: Math.round(lastSyncMs), renderMs: Math.round(renderMs), servicePorts: ports.length, ...result, conntrackFlushes: stale.length };
    if (result.restored) log.info(fields, 'service rules synced');
    else log.debug(fields, 'service rules unchanged');
  }

  function syncNow(): Promise<void> {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = undefined;
      return stopped ? undefined : sync();
    });
    queued = run;
    tail = run.catch((err: Error) => {
      log.error({ err: err.message, retryMs }, 'service rules sync failed; retrying');
      clearTimeout(retry);
      if (!stopped) retry = setTimeout(schedule, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MS.max);
    });
    return run;
  }

  function schedule(): void {
    if (stopped || debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      syncNow().catch(() => undefined); // logged by syncNow
    }, debounceMs);
  }

  for (const informer of [services, slices] as Informer[]) informer.addHandlers({ onAdd: schedule, onUpdate: schedule, onDelete: schedule });
  if (own) {
    services.start();
    slices.start();
  }
  await Promise.all([services.waitForSync(), slices.waitForSync()]);
  await syncNow().catch(() => undefined);
  const periodic = setInterval(schedule, opts.resyncIntervalMs ?? 30_000);

  return {
    syncNow,
    get lastSyncMs() {
      return lastSyncMs;
    },
    async stop(stopOpts = {}) {
      stopped = true;
      clearInterval(periodic);
      clearTimeout(debounce);
      clearTimeout(retry);
      if (own) {
        services.stop();
        slices.stop();
      }
      await tail;
      if (stopOpts.removeRules) await applier.cleanup();
    },
  };
}
