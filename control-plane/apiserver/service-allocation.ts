/**
 * ClusterIP and NodePort allocation for Services. Each allocated address or port is a small object
 * in a private storage resource, named by the address or port, so a store `create` is the atomic
 * claim (AlreadyExists = taken) across any number of API servers; deleting it releases. A requested
 * clusterIP or nodePort is honoured when free; otherwise a random free one is picked.
 */
import { randomInt } from 'node:crypto';
import { invalid, type FieldError, type StatusError } from '../api/status.js';
import type { KObject, Store } from '../store/store.js';

const IPS = 'tugboat.dev/serviceips';
const PORTS = 'tugboat.dev/nodeports';

export interface ServiceNetworkConfig {
  /** IPv4 CIDR clusterIPs come from, e.g. 10.96.0.0/12. */
  serviceCIDR: string;
  /** Inclusive NodePort range. */
  nodePortRange: [number, number];
}

export const DEFAULT_SERVICE_NETWORK: ServiceNetworkConfig = { serviceCIDR: '10.96.0.0/12', nodePortRange: [30000, 32767] };

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** First and last assignable addresses of a CIDR (network and broadcast excluded). */
export function cidrRange(cidr: string): { first: number; last: number } {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const network = Math.floor(ipToInt(base!) / size) * size;
  return { first: network + 1, last: network + size - 2 };
}

/** The address the `kubernetes` Service gets: the first of the range. */
export function apiServiceIP(cfg: ServiceNetworkConfig): string {
  return intToIp(cidrRange(cfg.serviceCIDR).first);
}

const needsClusterIP = (svc: any) => svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
const needsNodePorts = (svc: any) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

function claimObject(name: string, owner: any): KObject {
  return { metadata: { name, labels: { 'tugboat.dev/service': `${owner.metadata.namespace}.${owner.metadata.name}` } } };
}

export class ServiceAllocator {
  constructor(
    private readonly store: Store,
    private readonly cfg: ServiceNetworkConfig = DEFAULT_SERVICE_NETWORK,
  ) {}

  private async claim(resource: string, name: string, owner: any): Promise<boolean> {
    try {
      await this.store.create({ resource, namespace: '', name }, claimObject(name, owner));
      return true;
    } catch (err) {
      if ((err as StatusError).code === 409) return false;
      throw err;
    }
  }

  private async release(resource: string, name: string): Promise<void> {
    try {
      await this.store.delete({ resource, namespace: '', name });
    } catch (err) {
      if ((err as StatusError).code !== 404) throw err;
    }
  }

  private async allocateIP(svc: any, requested: string | undefined, errors: FieldError[]): Promise<string | undefined> {
    const { first, last } = cidrRange(this.cfg.serviceCIDR);
    if (requested) {
      const n = ipToInt(requested);
      if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(requested) || n < first || n > last) {
        errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${requested}"]: failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cfg.serviceCIDR}` });
        return undefined;
      }
      if (await this.claim(IPS, requested, svc)) return requested;
      errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${requested}"]: failed to allocate IP ${requested}: provided IP is already allocated` });
      return undefined;
    }
    // The first address belongs to the `kubernetes` Service: random picks start after it.
    for (let attempt = 0; attempt < 64; attempt++) {
      const ip = intToIp(randomInt(first + 1, last + 1));
      if (await this.claim(IPS, ip, svc)) return ip;
    }
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []: failed to allocate a serviceIP: range is full` });
    return undefined;
  }

  private async allocatePort(svc: any, requested: number | undefined, field: string, errors: FieldError[]): Promise<number | undefined> {
    const [lo, hi] = this.cfg.nodePortRange;
    if (requested) {
      if (requested < lo || requested > hi) {
        errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${requested}: provided port is not in the valid range. The range of valid ports is ${lo}-${hi}` });
        return undefined;
      }
      if (await this.claim(PORTS, String(requested), svc)) return requested;
      errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${requested}: provided port is already allocated` });
      return undefined;
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      const port = randomInt(lo, hi + 1);
      if (await this.claim(PORTS, String(port), svc)) return port;
    }
    errors.push({ type: 'FieldValueInvalid', field, message: 'Invalid value: 0: range is full' });
    return undefined;
  }

  /**
   * Fills spec.clusterIP(s) and node ports of a Service being created or updated (`old` on update:
   * what it already holds is kept, what it no longer needs is released after `commit`). Returns
   * `rollback`, which frees what this call claimed if the write does not happen. 422 when a
   * requested address or port is taken or out of range.
   */
  async allocate(svc: any, old?: any): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }> {
    const claimed: [string, string][] = [];
    const toRelease: [string, string][] = [];
    const errors: FieldError[] = [];
    const spec = (svc.spec ??= {});

    const oldIP = old && needsClusterIP(old) ? old.spec?.clusterIP : undefined;
    if (needsClusterIP(svc)) {
      const requested = spec.clusterIP || spec.clusterIPs?.[0] || undefined;
      if (oldIP && (!requested || requested === oldIP)) {
        spec.clusterIP = oldIP;
      } else {
        const ip = await this.allocateIP(svc, requested, errors);
        if (ip) {
          claimed.push([IPS, ip]);
          spec.clusterIP = ip;
          if (oldIP) toRelease.push([IPS, oldIP]);
        }
      }
      if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    } else if (oldIP) {
      toRelease.push([IPS, oldIP]);
    }

    const oldPorts = new Set<number>(old && needsNodePorts(old) ? (old.spec?.ports ?? []).map((p: any) => p.nodePort).filter(Boolean) : []);
    const keptPorts = new Set<number>();
    if (needsNodePorts(svc)) {
      const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i];
        if (!p || typeof p !== 'object') continue;
        const oldMatch = old?.spec?.ports?.find((o: any) => o?.port === p.port && (o?.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        const requested = p.nodePort || (oldMatch?.nodePort && needsNodePorts(old) ? oldMatch.nodePort : undefined);
        if (requested && oldPorts.has(requested)) {
          p.nodePort = requested;
          keptPorts.add(requested);
          continue;
        }
        // The same node port may serve one port number over two protocols.
        const twin = ports.slice(0, i).find((q) => q?.port === p.port && q?.nodePort && (!p.nodePort || p.nodePort === q.nodePort));
        if (twin) {
          p.nodePort = twin.nodePort;
          continue;
        }
        const port = await this.allocatePort(svc, requested, `spec.ports[${i}].nodePort`, errors);
        if (port) {
          claimed.push([PORTS, String(port)]);
          p.nodePort = port;
        }
      }
    } else if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) if (p && typeof p === 'object') delete p.nodePort;
    }
    for (const port of oldPorts) if (!keptPorts.has(port)) toRelease.push([PORTS, String(port)]);

    const rollback = async () => {
      for (const [resource, name] of claimed) await this.release(resource, name);
    };
    if (errors.length > 0) {
      await rollback();
      throw invalid('Service', '', svc.metadata?.name ?? '', errors);
    }
    return {
      rollback,
      commit: async () => {
        for (const [resource, name] of toRelease) await this.release(resource, name);
      },
    };
  }

  /** Frees a deleted Service's address and ports. Idempotent. */
  async releaseAll(svc: any): Promise<void> {
    if (needsClusterIP(svc) && svc.spec?.clusterIP) await this.release(IPS, svc.spec.clusterIP);
    if (needsNodePorts(svc)) for (const p of svc.spec?.ports ?? []) if (p?.nodePort) await this.release(PORTS, String(p.nodePort));
  }
}
