/**
 * The cluster's user-defined Docker network, with a subnet chosen here (not by Docker) so that
 * every node gets a fixed address: a node container that is stopped and started again keeps its
 * IP, which the other nodes' routes, the server certificate and the kubeconfig name.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatCIDR, formatIP, lastAddress, networkAddress, offset, parseCIDR, type CIDR } from '../../../cni/ip.js';
import { DockerError, type DockerCli } from './docker-cli.js';
import { LABEL_CLUSTER, networkName } from './names.js';

/** Cluster subnets are /24s of this range: clear of the pod (10.244/16) and service (10.96/12) networks. */
const POOL = parseCIDR('172.30.0.0/15')!;

export interface ClusterNetwork {
  name: string;
  /** e.g. 172.30.4.0/24 */
  subnet: string;
  gateway: string;
}

function overlaps(a: CIDR, b: CIDR): boolean {
  return a.ip.family === b.ip.family && networkAddress(a).value <= lastAddress(b).value && networkAddress(b).value <= lastAddress(a).value;
}

/** The first /24 of 172.30.0.0/15 that overlaps none of `used` (CIDRs; the default route and junk are ignored). */
export function chooseSubnet(used: string[]): string {
  const taken = used.map(parseCIDR).filter((c): c is CIDR => !!c && c.prefix > 0);
  const count = 2 ** (24 - POOL.prefix);
  for (let i = 0; i < count; i++) {
    const candidate: CIDR = { ip: offset(networkAddress(POOL), BigInt(i * 256)), prefix: 24 };
    if (!taken.some((t) => overlaps(t, candidate))) return formatCIDR(candidate);
  }
  throw new Error(`no free /24 left in ${formatCIDR(POOL)} for a cluster network: delete unused Docker networks (docker network prune)`);
}

/** Address number `index` of `subnet` (1: the gateway, 2: the first node, …). */
export function hostAddress(subnet: string, index: number): string {
  const cidr = parseCIDR(subnet);
  if (!cidr) throw new Error(`not a CIDR: ${subnet}`);
  const ip = offset(networkAddress(cidr), BigInt(index));
  if (index < 1 || ip.value >= lastAddress(cidr).value) throw new Error(`address number ${index} is outside ${subnet}`);
  return formatIP(ip);
}

/** Subnets of every Docker network on this engine, and `hostRoutes` (the host's routed CIDRs). */
async function usedSubnets(docker: DockerCli, hostRoutes: () => Promise<string[]>): Promise<string[]> {
  const ids = (await docker.run(['network', 'ls', '-q'])).split('\n').filter(Boolean);
  const subnets = ids.length ? (await docker.run(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', ...ids])).split(/\s+/) : [];
  return [...subnets, ...(await hostRoutes())].filter(Boolean);
}

/**
 * Creates the cluster's network on a free subnet. Not idempotent: rejects when a network of that
 * name exists. A subnet taken by another creator meanwhile is retried on the next free one.
 */
export async function createClusterNetwork(docker: DockerCli, cluster: string, hostRoutes: () => Promise<string[]>): Promise<ClusterNetwork> {
  const name = networkName(cluster);
  for (let attempt = 0; ; attempt++) {
    const subnet = chooseSubnet(await usedSubnets(docker, hostRoutes));
    const gateway = hostAddress(subnet, 1);
    try {
      await docker.run(['network', 'create', '--driver', 'bridge', '--subnet', subnet, '--gateway', gateway, '--label', `${LABEL_CLUSTER}=${cluster}`, name]);
      return { name, subnet, gateway };
    } catch (err) {
      if (attempt < 5 && err instanceof DockerError && /overlap/i.test(err.stderr)) continue;
      throw err;
    }
  }
}

/** Destinations of `ip -4 -o route` output as CIDRs (a bare address is a /32); the default route is left out. */
export function routeDestinations(ipRouteOutput: string): string[] {
  return ipRouteOutput
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((d) => d && d !== 'default' && /^[\d.]+(\/\d+)?$/.test(d))
    .map((d) => (d.includes('/') ? d : `${d}/32`));
}

/** The host's IPv4 route destinations; none when `ip` is missing. Never rejects. */
export async function readHostRoutes(): Promise<string[]> {
  try {
    return routeDestinations((await promisify(execFile)('ip', ['-4', '-o', 'route', 'show'])).stdout);
  } catch {
    return [];
  }
}
