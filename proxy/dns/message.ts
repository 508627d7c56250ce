/**
 * The DNS message model (RFC 1035 §4, EDNS0 of RFC 6891): what decode.ts produces and encode.ts
 * writes. Names are dotted strings without the trailing dot ('' is the root), in the case they
 * were received or built with; compare them with sameName().
 */

/** Resource record types this server builds or reads; others travel as raw RDATA. */
export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

export const CLASS_IN = 1;

export const OPCODE_QUERY = 0;

/** Response codes; BADVERS (16) only travels with EDNS (its high bits sit in the OPT record). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

export interface Question {
  name: string;
  type: number;
  class: number;
}

interface RecordHeader {
  name: string;
  class: number;
  /** Seconds. */
  ttl: number;
}

/** A record of a known type, decoded, or of any type as raw RDATA (`rdata`). */
export type ResourceRecord = RecordHeader &
  (
    | { type: typeof TYPE.A | typeof TYPE.AAAA; address: string }
    | { type: typeof TYPE.CNAME | typeof TYPE.NS | typeof TYPE.PTR; target: string }
    | { type: typeof TYPE.SRV; priority: number; weight: number; port: number; target: string }
    | { type: typeof TYPE.MX; preference: number; exchange: string }
    | { type: typeof TYPE.SOA; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
    /** Built only (decode.ts keeps TXT raw): each string is one character-string of at most 255 bytes. */
    | { type: typeof TYPE.TXT; texts: string[] }
    | { type: number; rdata: Buffer }
  );

/** A record without its owner, class and TTL: what record builders fill in. */
export type RecordData = ResourceRecord extends infer R ? (R extends unknown ? Omit<R, 'name' | 'class' | 'ttl'> : never) : never;

/** EDNS0 (the OPT pseudo-record), kept apart from the additional section. */
export interface Edns {
  /** The sender's UDP payload size. */
  udpSize: number;
  version: number;
  /** DNSSEC OK. */
  dnssecOk: boolean;
  options: { code: number; data: Buffer }[];
}

export interface Message {
  id: number;
  /** true for a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The full response code: values above 15 need `edns`. */
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  /** Without the OPT record, which is `edns`. */
  additionals: ResourceRecord[];
  edns?: Edns;
}

/** Case-insensitive name equality (RFC 4343), ignoring a trailing dot. */
export function sameName(a: string, b: string): boolean {
  return canonicalName(a) === canonicalName(b);
}

/** Lower case, without a trailing dot: the form names are looked up in. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** A response skeleton for `query`: same id, opcode, question and RD; everything else empty. */
export function replyTo(query: Message, rcode: number): Message {
  return {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa: false,
    tc: false,
    rd: query.rd,
    ra: true,
    ad: false,
    cd: query.cd,
    rcode,
    questions: query.questions.slice(0, 1),
    answers: [],
    authorities: [],
    additionals: [],
  };
}
