/**
 * A bounded cache of upstream answers keyed by question, honouring TTLs: a positive answer lives
 * for its smallest record TTL, a negative one (NXDOMAIN, or NOERROR without answers) for its SOA's
 * negative TTL (RFC 2308 §5: min(SOA TTL, SOA minimum)); both are capped. Answers without an SOA
 * when negative, other response codes, truncated answers and TTL 0 are not kept. Entries served
 * carry their TTLs minus the whole seconds they spent here. Least recently used entries go first
 * when full. Synchronous; not shared between processes.
 */
import { RCODE, TYPE, canonicalName, type Message, type Question, type ResourceRecord } from './message.js';

export interface DnsCacheOptions {
  /** Entries kept at most (default 10,000). */
  maxEntries?: number;
  /** Cap on a positive answer's lifetime, in seconds (default 3600, as CoreDNS's cache). */
  maxTtl?: number;
  /** Cap on a negative answer's lifetime, in seconds (default 1800, as CoreDNS's cache). */
  maxNegativeTtl?: number;
  now?: () => number;
}

interface Entry {
  msg: Message;
  storedAt: number;
  expiresAt: number;
}

/** The cache key of a question: name (case-insensitive), type and class. */
export function questionKey(q: Question): string {
  return `${canonicalName(q.name)}|${q.type}|${q.class}`;
}

/** How long `msg` may be cached, in seconds (0: not at all). */
export function cacheTtl(msg: Message, maxTtl: number, maxNegativeTtl: number): number {
  if (msg.tc) return 0;
  const negative = msg.rcode === RCODE.NXDOMAIN || (msg.rcode === RCODE.NOERROR && msg.answers.length === 0);
  if (negative) {
    const soa = msg.authorities.find((r) => r.type === TYPE.SOA);
    if (!soa || !('minimum' in soa)) return 0;
    return Math.min(soa.ttl, soa.minimum, maxNegativeTtl);
  }
  if (msg.rcode !== RCODE.NOERROR) return 0;
  let ttl = maxTtl;
  for (const r of [...msg.answers, ...msg.authorities, ...msg.additionals]) ttl = Math.min(ttl, r.ttl);
  return ttl;
}

const aged = (records: ResourceRecord[], seconds: number) => records.map((r) => ({ ...r, ttl: Math.max(0, r.ttl - seconds) }));

export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;
  private readonly now: () => number;

  constructor(opts: DnsCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxTtl = opts.maxTtl ?? 3600;
    this.maxNegativeTtl = opts.maxNegativeTtl ?? 1800;
    this.now = opts.now ?? Date.now;
  }

  /** The cached answer to `q` with aged TTLs (a copy), or undefined. */
  get(q: Question): Message | undefined {
    const key = questionKey(q);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    const age = Math.floor((now - entry.storedAt) / 1000);
    const m = entry.msg;
    return { ...m, answers: aged(m.answers, age), authorities: aged(m.authorities, age), additionals: aged(m.additionals, age) };
  }

  /** Keeps `msg` as the answer to `q` when cacheTtl() allows. */
  put(q: Question, msg: Message): void {
    const ttl = cacheTtl(msg, this.maxTtl, this.maxNegativeTtl);
    if (ttl <= 0) return;
    const key = questionKey(q);
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { msg, storedAt: now, expiresAt: now + ttl * 1000 });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
