/**
 * Names outside the cluster zone: answered from the cache, else asked of the upstream resolvers
 * in order, each over UDP with a timeout (TCP when the UDP answer is truncated), for `attempts`
 * rounds. Concurrent identical questions share one upstream exchange. The first response that
 * matches the query wins, whatever its rcode (the upstream's NXDOMAIN is the answer).
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { DnsCache } from './cache.js';
import { questionKey } from './cache.js';
import { encodeMessage } from './encode.js';
import { CLASS_IN, OPCODE_QUERY, type Message, type Question, type ResourceRecord } from './message.js';
import { exchangeTcp, exchangeUdp, formatUpstream, type UpstreamServer } from './upstream.js';

/** The UDP payload size we advertise upstream (the DNS flag day 2020 value: no IP fragmentation). */
export const EDNS_UDP_SIZE = 1232;

export interface ForwarderOptions {
  upstreams: UpstreamServer[];
  cache: DnsCache;
  /** Per exchange (default 2000 ms). */
  timeoutMs?: number;
  /** Rounds over all upstreams (default 2). */
  attempts?: number;
  logger: Logger;
}

export class Forwarder {
  private readonly inflight = new Map<string, Promise<Message | undefined>>();
  private readonly timeoutMs: number;
  private readonly attempts: number;

  constructor(private readonly opts: ForwarderOptions) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.attempts = opts.attempts ?? 2;
  }

  /**
   * The upstream answer to `q` (cached or fresh; shared, so read only); undefined when every
   * upstream failed (the client gets SERVFAIL). Never rejects.
   */
  resolve(q: Question): Promise<Message | undefined> {
    const cached = this.opts.cache.get(q);
    if (cached) return Promise.resolve(cached);
    const key = questionKey(q);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.exchange(q).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** The answer section for `name`/`type` (for chasing a CNAME out of the zone); undefined when the upstreams failed. */
  readonly lookup = async (name: string, type: number): Promise<ResourceRecord[] | undefined> => {
    return (await this.resolve({ name, type, class: CLASS_IN }))?.answers;
  };

  private async exchange(q: Question): Promise<Message | undefined> {
    const id = randomInt(0x10000);
    const query = encodeMessage({
      id,
      qr: false,
      opcode: OPCODE_QUERY,
      aa: false,
      tc: false,
      rd: true,
      ra: false,
      ad: false,
      cd: false,
      rcode: 0,
      questions: [q],
      answers: [],
      authorities: [],
      additionals: [],
      edns: { udpSize: EDNS_UDP_SIZE, version: 0, dnssecOk: false, options: [] },
    });
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      for (const server of this.opts.upstreams) {
        try {
          let reply = await exchangeUdp(server, query, id, q, this.timeoutMs);
          if (reply.tc) reply = await exchangeTcp(server, query, id, q, this.timeoutMs);
          this.opts.cache.put(q, reply);
          return reply;
        } catch (err) {
          this.opts.logger.debug({ upstream: formatUpstream(server), name: q.name, type: q.type, err: (err as Error).message }, 'upstream resolver failed');
        }
      }
    }
    this.opts.logger.warn({ name: q.name, type: q.type, upstreams: this.opts.upstreams.map(formatUpstream) }, 'no upstream resolver answered');
    return undefined;
  }
}
