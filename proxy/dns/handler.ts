/**
 * One DNS request → its response bytes, whatever the transport: names in the cluster zone (and
 * reverse names of cluster addresses) are answered by the zone, authoritatively; everything else
 * goes to the forwarder. Malformed requests get FORMERR (when they carry an id), other opcodes
 * NOTIMP, EDNS versions above 0 BADVERS. A request with an OPT record gets one back (our UDP size,
 * its DO bit, no options). UDP responses are truncated to 512 bytes, or to the client's EDNS
 * size capped at ours; TCP ones to 64 KiB.
 */
import type { Logger } from 'pino';
import { decodeMessage } from './decode.js';
import { MAX_MESSAGE_SIZE, encodeMessage } from './encode.js';
import { EDNS_UDP_SIZE, type Forwarder } from './forwarder.js';
import type { KubernetesZone, ZoneAnswer } from './kubernetes-zone.js';
import { CLASS_IN, OPCODE_QUERY, RCODE, TYPE, replyTo, type Message } from './message.js';

export type Transport = 'udp' | 'tcp';

/** The classic UDP limit without EDNS (RFC 1035 §4.2.1). */
const PLAIN_UDP_SIZE = 512;

export interface DnsHandlerOptions {
  zone: KubernetesZone;
  forwarder: Pick<Forwarder, 'resolve'>;
  logger: Logger;
}

/** The response size limit for `query` arriving over `transport`. */
function responseLimit(query: Message, transport: Transport): number {
  if (transport === 'tcp') return MAX_MESSAGE_SIZE;
  if (!query.edns) return PLAIN_UDP_SIZE;
  return Math.max(PLAIN_UDP_SIZE, Math.min(query.edns.udpSize, EDNS_UDP_SIZE));
}

/** FORMERR for bytes that did not decode, echoing their id; undefined when there is no id or the bytes claim to be a response. */
function formatErrorFor(packet: Buffer): Buffer | undefined {
  if (packet.length < 12 || (packet[2]! & 0x80) !== 0) return undefined;
  const out = Buffer.alloc(12);
  packet.copy(out, 0, 0, 2);
  // QR set; opcode and RD copied; RA set.
  out[2] = 0x80 | (packet[2]! & 0x79);
  out[3] = 0x80 | RCODE.FORMERR;
  return out;
}

export class DnsHandler {
  constructor(private readonly opts: DnsHandlerOptions) {}

  /** The response to `packet`; undefined when nothing should be sent back. Never rejects. */
  async handle(packet: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let query: Message;
    try {
      query = decodeMessage(packet);
    } catch {
      return formatErrorFor(packet);
    }
    if (query.qr) return undefined;
    let response: Message;
    try {
      response = await this.respond(query);
    } catch (err) {
      this.opts.logger.error({ err: (err as Error).message, name: query.questions[0]?.name }, 'answering a DNS query failed');
      response = replyTo(query, RCODE.SERVFAIL);
    }
    if (query.edns) response.edns = { udpSize: EDNS_UDP_SIZE, version: 0, dnssecOk: query.edns.dnssecOk, options: [] };
    else if (response.rcode > 15) response.rcode = RCODE.SERVFAIL;
    try {
      return encodeMessage(response, responseLimit(query, transport));
    } catch (err) {
      this.opts.logger.error({ err: (err as Error).message, name: query.questions[0]?.name }, 'encoding a DNS response failed');
      return encodeMessage({ ...replyTo(query, RCODE.SERVFAIL), edns: response.edns }, responseLimit(query, transport));
    }
  }

  private async respond(query: Message): Promise<Message> {
    if (query.opcode !== OPCODE_QUERY) return replyTo(query, RCODE.NOTIMP);
    if (query.questions.length !== 1) return replyTo(query, RCODE.FORMERR);
    if (query.edns && query.edns.version > 0) return replyTo(query, RCODE.BADVERS);
    const q = query.questions[0]!;
    const { zone } = this.opts;
    if (zone.contains(q.name)) {
      if (q.class !== CLASS_IN) return replyTo(query, RCODE.REFUSED);
      return authoritative(query, await zone.answer(q));
    }
    const reverse = q.type === TYPE.PTR && q.class === CLASS_IN ? zone.reverse(q) : undefined;
    if (reverse) return authoritative(query, reverse);
    const upstream = await this.opts.forwarder.resolve(q);
    if (!upstream) return replyTo(query, RCODE.SERVFAIL);
    return { ...replyTo(query, upstream.rcode), answers: upstream.answers, authorities: upstream.authorities, additionals: upstream.additionals };
  }
}

function authoritative(query: Message, a: ZoneAnswer): Message {
  return { ...replyTo(query, a.rcode), aa: true, answers: a.answers, authorities: a.authorities, additionals: a.additionals };
}
