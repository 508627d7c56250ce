/**
 * Test helper: a DNS server on 127.0.0.1 (a free port, UDP and TCP) answering from a table of
 * records, standing in for the host's resolvers so tests never query the internet. Names not in
 * the table get NXDOMAIN with an SOA. It counts the questions it saw per transport, can stay
 * silent (to test timeouts) and can truncate every UDP answer (to test the TCP fallback).
 */
import { pino } from 'pino';
import { decodeMessage } from '../decode.js';
import { encodeMessage } from '../encode.js';
import { startListeners } from '../listeners.js';
import { CLASS_IN, RCODE, TYPE, canonicalName, replyTo, type RecordData, type ResourceRecord } from '../message.js';

export interface FakeUpstream {
  /** `127.0.0.1:<port>` */
  address: string;
  port: number;
  /** Questions seen, as `name type transport`. */
  seen: string[];
  /** When true, nothing is answered. */
  silent: boolean;
  /** When true, UDP answers carry no records and the TC bit. */
  truncateUdp: boolean;
  /** Adds a record for `name` (answered for its type); ttl defaults to 300. */
  add(name: string, data: RecordData, ttl?: number): void;
  stop(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const records = new Map<string, ResourceRecord[]>();
  const fake: Omit<FakeUpstream, 'address' | 'port' | 'stop'> = {
    seen: [],
    silent: false,
    truncateUdp: false,
    add(name, data, ttl = 300) {
      const key = canonicalName(name);
      records.set(key, [...(records.get(key) ?? []), { name, class: CLASS_IN, ttl, ...data } as ResourceRecord]);
    },
  };
  const soa: ResourceRecord = { name: 'example', type: TYPE.SOA, class: CLASS_IN, ttl: 60, mname: 'ns.example', rname: 'hostmaster.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 };
  const listeners = await startListeners(
    [{ address: '127.0.0.1', port: 0 }],
    async (packet, transport) => {
      const query = decodeMessage(packet);
      const q = query.questions[0]!;
      fake.seen.push(`${canonicalName(q.name)} ${q.type} ${transport}`);
      if (fake.silent) return undefined;
      const known = records.get(canonicalName(q.name));
      const reply = replyTo(query, known ? RCODE.NOERROR : RCODE.NXDOMAIN);
      if (transport === 'udp' && fake.truncateUdp) return encodeMessage({ ...reply, tc: true });
      reply.answers = (known ?? []).filter((r) => r.type === q.type || r.type === TYPE.CNAME);
      if (!reply.answers.length) reply.authorities = [soa];
      return encodeMessage(reply);
    },
    pino({ level: 'silent' }),
  );
  const { port } = listeners.addresses[0]!;
  return Object.assign(fake, { address: `127.0.0.1:${port}`, port, stop: listeners.close });
}
