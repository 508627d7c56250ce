/**
 * The cluster zone's answers, as CoreDNS's kubernetes plugin gives them (the Kubernetes DNS
 * spec, schema 1.1.0, with `pods insecure` and the reverse zones falling through):
 *
 * - `<svc>.<ns>.svc.<zone>` A/AAAA: the cluster IPs; headless: every ready endpoint address;
 *   no ready endpoint: NXDOMAIN.
 * - `<hostname>.<svc>.<ns>.svc.<zone>`: the ready endpoints whose hostname (the slice endpoint's
 *   `hostname`, else its address with dashes) matches, for any Service.
 * - SRV for `_<port>._<proto>.<svc>.<ns>.svc.<zone>` (or the bare Service name: every port): target
 *   the Service name and the Service port, or for headless Services one record per ready endpoint
 *   with its hostname and the endpoint port; the targets' addresses in the additional section.
 * - ExternalName: CNAME to spec.externalName; for A/AAAA the target is resolved too, inside the
 *   zone or through the upstream resolvers (an IP address as externalName gives NXDOMAIN).
 * - `<a-b-c-d>.<ns>.pod.<zone>`: that address, for any existing namespace.
 * - `dns-version.<zone>` TXT; the apex's SOA and NS (`ns.dns.<zone>`, whose A/AAAA are the
 *   server's own addresses).
 * - Reverse (PTR) names of cluster IPs and of ready endpoint addresses.
 *
 * A name that exists but has no record of the asked type is NODATA (NOERROR, no answer) and an
 * unknown one NXDOMAIN, both with the zone's SOA in the authority section; before the informers
 * have synced, NXDOMAIN becomes SERVFAIL. Lookups are case-insensitive; answers keep the
 * question's case for its own name.
 */
import { isIP } from 'node:net';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SERVICE_NAME_LABEL, clusterIPsOf, type ClusterIndex } from './cluster-index.js';
import { canonicalIP } from './ip-address.js';
import { CLASS_IN, RCODE, TYPE, canonicalName, type Question, type RecordData, type ResourceRecord } from './message.js';
import { parseRecordRequest, type RecordRequest } from './query-name.js';
import { addressFromReverseName } from './reverse-name.js';

/** CoreDNS's default TTL for the kubernetes plugin. */
const DEFAULT_TTL = 5;
/** The DNS schema version CoreDNS reports (kubernetes/dns docs/specification.md). */
const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;
/** Longest CNAME chain followed inside the zone. */
const MAX_CNAME_CHAIN = 8;

/** Resolves a name outside the zone through the upstream resolvers: its answer section, or undefined when they failed. */
export type UpstreamLookup = (name: string, type: number) => Promise<ResourceRecord[] | undefined>;

export interface ZoneAnswer {
  rcode: number;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export interface KubernetesZoneOptions {
  /** The cluster domain, e.g. cluster.local. */
  zone: string;
  index: ClusterIndex;
  /** Whether the informers have listed: until then unknown names are SERVFAIL, not NXDOMAIN. */
  synced: () => boolean;
  /** The addresses this server answers on: the A/AAAA of ns.dns.<zone>. */
  nameservers: string[];
  upstream: UpstreamLookup;
  ttl?: number;
}

/** What a name stands for: addresses (with a port and the name SRV targets use) or a CNAME target. */
type Entry = { ip: string; port: number | undefined; target: string } | { cname: string };

/** Records found for a name; NXDOMAIN is `undefined`. */
interface Found {
  answers: ResourceRecord[];
  additionals: ResourceRecord[];
}

const NODATA: Found = { answers: [], additionals: [] };

type AddressType = typeof TYPE.A | typeof TYPE.AAAA;

const isAddressType = (type: number): type is AddressType => type === TYPE.A || type === TYPE.AAAA;

const equalFold = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The family of a canonical address (entries hold only those). */
const familyOf = (ip: string) => (ip.includes(':') ? 6 : 4);

/** The hostname of an endpoint address: the endpoint's hostname, else the address with dashes. */
function endpointHostname(hostname: string | undefined, ip: string): string {
  return hostname || ip.replace(/[.:]/g, '-');
}

function portMatches(r: RecordRequest, name: string | undefined, protocol: string | undefined): boolean {
  return (r.port === undefined || equalFold(r.port, name ?? '')) && (r.protocol === undefined || equalFold(r.protocol, protocol ?? 'TCP'));
}

function isReady(ep: NonNullable<EndpointSlice['endpoints']>[number]): boolean {
  // A nil ready condition means unknown, which consumers take as ready.
  return ep.conditions?.ready !== false;
}

export class KubernetesZone {
  readonly zone: string;
  private readonly ttl: number;

  constructor(private readonly opts: KubernetesZoneOptions) {
    this.zone = canonicalName(opts.zone);
    this.ttl = opts.ttl ?? DEFAULT_TTL;
  }

  /** Whether `name` is the zone or under it. */
  contains(name: string): boolean {
    const n = canonicalName(name);
    return n === this.zone || n.endsWith(`.${this.zone}`);
  }

  /** Answers a question for a name inside the zone (see contains()). Never rejects. */
  async answer(q: Question): Promise<ZoneAnswer> {
    const found = await this.lookup(q.name, q.type, []);
    if (!found) {
      return { rcode: this.opts.synced() ? RCODE.NXDOMAIN : RCODE.SERVFAIL, answers: [], authorities: [this.soa()], additionals: [] };
    }
    return { rcode: RCODE.NOERROR, answers: found.answers, authorities: found.answers.length ? [] : [this.soa()], additionals: found.additionals };
  }

  /** The PTR answer for a reverse name of a cluster IP or ready endpoint address; undefined when the cluster has none (ask upstream). */
  reverse(q: Question): ZoneAnswer | undefined {
    const ip = addressFromReverseName(q.name);
    if (!ip) return undefined;
    const targets = this.reverseTargets(ip);
    if (!targets.length) return undefined;
    return { rcode: RCODE.NOERROR, answers: targets.map((target) => this.rr(q.name, { type: TYPE.PTR, target })), authorities: [], additionals: [] };
  }

  private reverseTargets(ip: string): string[] {
    const services = this.opts.index.servicesWithIP(ip);
    if (services.length) return [this.serviceName(services[0]!)];
    const out = new Set<string>();
    for (const slice of this.opts.index.slicesWithIP(ip)) {
      const base = `${slice.metadata!.labels![SERVICE_NAME_LABEL]}.${slice.metadata!.namespace}.svc.${this.zone}`;
      for (const ep of slice.endpoints ?? []) {
        if (!isReady(ep)) continue;
        for (const a of ep.addresses ?? []) if (canonicalIP(a) === ip) out.add(`${endpointHostname(ep.hostname ?? undefined, ip)}.${base}`);
      }
    }
    return [...out];
  }

  private rr(name: string, data: RecordData, ttl = this.ttl): ResourceRecord {
    return { name, class: CLASS_IN, ttl, ...data } as ResourceRecord;
  }

  private soa(): ResourceRecord {
    return this.rr(this.zone, {
      type: TYPE.SOA,
      mname: `ns.dns.${this.zone}`,
      rname: `hostmaster.${this.zone}`,
      serial: Math.floor(this.opts.index.modifiedAt() / 1000) >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: this.ttl,
    });
  }

  private serviceName(svc: Service): string {
    return `${svc.metadata!.name}.${svc.metadata!.namespace}.svc.${this.zone}`;
  }

  private nameserverRecords(type: AddressType): ResourceRecord[] {
    const family = type === TYPE.A ? 4 : 6;
    return this.opts.nameservers.filter((ip) => isIP(ip) === family).map((address) => this.rr(`ns.dns.${this.zone}`, { type, address }));
  }

  /** The records of `name` (as asked: answers keep its case) for `type`; undefined: NXDOMAIN. `chain`: CNAME owners so far. */
  private async lookup(name: string, type: number, chain: string[]): Promise<Found | undefined> {
    const n = canonicalName(name);
    const rel = n === this.zone ? [] : n.slice(0, -this.zone.length - 1).split('.');
    if (rel.length === 0) {
      if (type === TYPE.SOA) return { answers: [this.soa()], additionals: [] };
      if (type === TYPE.NS) return { answers: [this.rr(name, { type: TYPE.NS, target: `ns.dns.${this.zone}` })], additionals: [...this.nameserverRecords(TYPE.A), ...this.nameserverRecords(TYPE.AAAA)] };
      return NODATA;
    }
    if (rel.length === 2 && rel[0] === 'ns' && rel[1] === 'dns') {
      return { answers: isAddressType(type) ? this.nameserverRecords(type).map((r) => ({ ...r, name })) : [], additionals: [] };
    }
    if (rel.length === 1 && rel[0] === 'dns-version' && type === TYPE.TXT) {
      return { answers: [this.rr(name, { type: TYPE.TXT, texts: [DNS_SCHEMA_VERSION] }, DNS_VERSION_TTL)], additionals: [] };
    }
    const r = parseRecordRequest(rel);
    if (!r) return undefined;
    if (r.namespace === undefined) return NODATA;
    if (!this.opts.index.namespaceExists(r.namespace)) return undefined;
    if (r.service === undefined) return NODATA;
    const entries = r.kind === 'pod' ? this.podEntries(r, n) : this.serviceEntries(r);
    if (!entries) return undefined;
    switch (type) {
      case TYPE.A:
      case TYPE.AAAA:
        return this.addresses(name, type, entries, [...chain, n]);
      case TYPE.SRV:
        return this.srv(name, entries);
      case TYPE.CNAME: {
        const alias = entries.find((e) => 'cname' in e);
        return { answers: alias ? [this.rr(name, { type: TYPE.CNAME, target: alias.cname })] : [], additionals: [] };
      }
      default:
        return NODATA;
    }
  }

  /** `<a-b-c-d>.<ns>.pod`: the address in the first label (IPv6 with dashes for colons). */
  private podEntries(r: RecordRequest, name: string): Entry[] | undefined {
    if (r.endpoint !== undefined || r.port !== undefined) return undefined;
    const label = r.service!;
    const dashes = label.split('-').length - 1;
    const ip = canonicalIP(dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':'));
    return ip ? [{ ip, port: undefined, target: name }] : undefined;
  }

  private serviceEntries(r: RecordRequest): Entry[] | undefined {
    const svc = this.opts.index.service(r.namespace!, r.service!);
    if (!svc) return undefined;
    if (svc.spec?.type === 'ExternalName') {
      const target = svc.spec.externalName;
      return target && !isIP(target) ? [{ cname: target }] : undefined;
    }
    const entries = svc.spec?.clusterIP === 'None' || r.endpoint !== undefined ? this.endpointEntries(svc, r) : this.clusterIPEntries(svc, r);
    return entries.length ? entries : undefined;
  }

  private clusterIPEntries(svc: Service, r: RecordRequest): Entry[] {
    const target = this.serviceName(svc);
    const out: Entry[] = [];
    for (const p of svc.spec?.ports ?? ([] as ServicePort[])) {
      if (!portMatches(r, p.name, p.protocol)) continue;
      for (const ip of clusterIPsOf(svc)) {
        const c = canonicalIP(ip);
        if (c) out.push({ ip: c, port: p.port, target });
      }
    }
    return out;
  }

  private endpointEntries(svc: Service, r: RecordRequest): Entry[] {
    const base = this.serviceName(svc);
    const out: Entry[] = [];
    for (const slice of this.opts.index.slicesOf(svc.metadata!.namespace!, svc.metadata!.name!)) {
      if (slice.addressType === 'FQDN') continue;
      // A slice without ports still names its endpoints (CoreDNS's port -1 sentinel): addresses, no SRV.
      const ports: (EndpointPort | undefined)[] = slice.ports?.length ? slice.ports : [undefined];
      for (const ep of slice.endpoints ?? []) {
        if (!isReady(ep)) continue;
        for (const a of ep.addresses ?? []) {
          const ip = canonicalIP(a);
          if (!ip) continue;
          const host = endpointHostname(ep.hostname ?? undefined, ip);
          if (r.endpoint !== undefined && host !== r.endpoint) continue;
          for (const p of ports) {
            if (!portMatches(r, p?.name ?? undefined, p?.protocol)) continue;
            out.push({ ip, port: p?.port ?? undefined, target: `${host}.${base}` });
          }
        }
      }
    }
    return out;
  }

  private async addresses(name: string, type: AddressType, entries: Entry[], chain: string[]): Promise<Found> {
    const family = type === TYPE.A ? 4 : 6;
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      if ('cname' in e) {
        const target = canonicalName(e.cname);
        if (chain.includes(target) || chain.length >= MAX_CNAME_CHAIN) continue;
        const alias = this.rr(name, { type: TYPE.CNAME, target: e.cname });
        if (this.contains(target)) {
          const next = await this.lookup(e.cname, type, chain);
          if (next?.answers.length) answers.push(alias, ...next.answers);
        } else {
          // Upstream failing still leaves the alias: the client can chase it.
          answers.push(alias, ...((await this.opts.upstream(e.cname, type)) ?? []));
        }
        continue;
      }
      if (familyOf(e.ip) !== family || seen.has(e.ip)) continue;
      seen.add(e.ip);
      answers.push(this.rr(name, { type, address: e.ip }));
    }
    return { answers, additionals: [] };
  }

  private srv(name: string, entries: Entry[]): Found {
    const targets = entries.filter((e): e is Extract<Entry, { ip: string }> => 'ip' in e && e.port !== undefined);
    const weight = Math.max(1, Math.floor(100 / Math.max(1, targets.length)));
    const answers: ResourceRecord[] = [];
    const additionals: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const e of targets) {
      const srvKey = `${e.target} ${e.port}`;
      if (!seen.has(srvKey)) {
        seen.add(srvKey);
        answers.push(this.rr(name, { type: TYPE.SRV, priority: 0, weight, port: e.port!, target: e.target }));
      }
      const addrKey = `${e.target} ${e.ip}`;
      if (!seen.has(addrKey)) {
        seen.add(addrKey);
        additionals.push(this.rr(e.target, { type: familyOf(e.ip) === 4 ? TYPE.A : TYPE.AAAA, address: e.ip }));
      }
    }
    return { answers, additionals };
  }
}
