/**
 * A pod's name resolution as the kubelet sets it up (pkg/kubelet/network/dns and kubelet_pods.go):
 * resolv.conf from the DNS policy, the pod's hostname and domain, and the kubelet-managed
 * /etc/hosts file with the pod's addresses and host aliases. Pure functions.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from '../runtime/runtime.js';

export const CLUSTER_DOMAIN = 'cluster.local';
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;
const DEFAULT_OPTIONS = ['ndots:5'];

/** The cluster DNS the agent was given: its servers, and search domains added after the pod's namespace ones. */
export interface ClusterDNS {
  servers: string[];
  searches: string[];
}

/** A resolv.conf file's content. */
export function parseResolvConf(text: string): DNSConfig {
  const out: DNSConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.servers.push(fields[0]);
    else if (key === 'search') out.searches = fields.filter((f) => f !== '.');
    else if (key === 'domain' && fields[0]) out.searches = [fields[0]];
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

const unique = (list: string[]) => [...new Set(list)];

/** Options by name; later ones replace earlier ones of the same name (`ndots:5` + ndots 2 → `ndots:2`). */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const option of base) byName.set(option.split(':')[0]!, option);
  for (const { name, value } of extra) if (name) byName.set(name, value !== undefined && value !== '' ? `${name}:${value}` : name);
  return [...byName.values()];
}

/** Trims to the resolver's limits as the kubelet does (3 servers, 32 search domains, 2048 characters). */
function fitLimits(config: DNSConfig): DNSConfig {
  let searches = config.searches.slice(0, MAX_SEARCHES);
  while (searches.join(' ').length > MAX_SEARCH_CHARS) searches = searches.slice(0, -1);
  return { servers: config.servers.slice(0, MAX_NAMESERVERS), searches, options: config.options };
}

export interface PodDNSResult {
  config: DNSConfig;
  /** ClusterFirst was asked for but no cluster DNS is known: the host's settings were used (MissingClusterDNS). */
  missingClusterDNS: boolean;
}

/**
 * The pod's resolver settings. ClusterFirst (not on the host network) and ClusterFirstWithHostNet:
 * the cluster's servers, search `<ns>.svc.cluster.local svc.cluster.local cluster.local`, the
 * cluster's extra searches and the host's, `ndots:5`; without cluster DNS they fall back to the
 * host's (as upstream). Default (and ClusterFirst on the host network): the host's. None: empty.
 * spec.dnsConfig is appended in every case.
 */
export function podDNSConfig(pod: Pod, cluster: ClusterDNS | undefined, host: DNSConfig): PodDNSResult {
  const spec = pod.spec ?? { containers: [] };
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  const wantsCluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork);
  let config: DNSConfig;
  let missingClusterDNS = false;
  if (policy === 'None') {
    config = { servers: [], searches: [], options: [] };
  } else if (wantsCluster && cluster && cluster.servers.length > 0) {
    const ns = pod.metadata?.namespace ?? 'default';
    config = {
      servers: [...cluster.servers],
      searches: unique([`${ns}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN, ...cluster.searches, ...host.searches]),
      options: [...DEFAULT_OPTIONS],
    };
  } else {
    missingClusterDNS = wantsCluster;
    config = { servers: [...host.servers], searches: [...host.searches], options: [...host.options] };
  }
  const extra = spec.dnsConfig;
  if (extra) {
    config = {
      servers: unique([...config.servers, ...(extra.nameservers ?? [])]),
      searches: unique([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options ?? []),
    };
  }
  return { config: fitLimits(config), missingClusterDNS };
}

/** The pod's hostname (spec.hostname or its name, cut to 63 characters) and domain (from spec.subdomain). */
export function podHostname(pod: Pod): { hostname: string; domain?: string } {
  const hostname = pod.spec?.hostname || (pod.metadata?.name ?? '').slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  return { hostname, domain: sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${CLUSTER_DOMAIN}` : undefined };
}

/** The kubelet-managed /etc/hosts of a pod with addresses `podIPs`. */
export function managedHostsFile(pod: Pod, podIPs: string[]): string {
  const { hostname, domain } = podHostname(pod);
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    ...podIPs.map((ip) => (domain ? `${ip}\t${hostname}.${domain}\t${hostname}` : `${ip}\t${hostname}`)),
  ];
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.', ...aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}`));
  }
  return lines.join('\n') + '\n';
}
