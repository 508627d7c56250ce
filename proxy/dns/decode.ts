/**
 * Wire format → Message (RFC 1035 §4.1). Names are decompressed (each pointer must point before
 * the labels it follows, so a loop cannot hang the reader); A, AAAA, CNAME, NS, PTR, SRV, MX and SOA RDATA are decoded
 * (their names may be compressed), every other type stays raw, which is safe because only those
 * well-known types may compress names (RFC 3597 §4). Label bytes are read as latin1, so a name
 * re-encoded by encode.ts keeps its bytes.
 */
import { formatIPv6 } from './ip-address.js';
import { TYPE, type Edns, type Message, type Question, type ResourceRecord } from './message.js';

/** The input is not a well-formed DNS message (the server answers FORMERR when it has an id). */
export class FormatError extends Error {}

const MAX_NAME_LENGTH = 255;

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new FormatError('message truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A possibly compressed name at the current position; the position ends after it. */
  name(): string {
    const labels: string[] = [];
    let length = 1;
    let at = this.pos;
    let segmentStart = at;
    let resumeAt = -1;
    for (;;) {
      if (at >= this.buf.length) throw new FormatError('name runs past the message');
      const len = this.buf[at]!;
      if (len === 0) {
        at++;
        break;
      }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (at + 1 >= this.buf.length) throw new FormatError('name runs past the message');
        const target = ((len & 0x3f) << 8) | this.buf[at + 1]!;
        if (resumeAt < 0) resumeAt = at + 2;
        // Only backwards, before the start of the labels read since the last jump: every jump
        // lands strictly earlier than the one before, so the walk ends.
        if (target >= segmentStart) throw new FormatError('compression pointer does not point backwards');
        at = segmentStart = target;
        continue;
      }
      if (kind !== 0) throw new FormatError('unsupported label type');
      if (at + 1 + len > this.buf.length) throw new FormatError('label runs past the message');
      length += len + 1;
      if (length > MAX_NAME_LENGTH) throw new FormatError('name longer than 255 bytes');
      labels.push(this.buf.toString('latin1', at + 1, at + 1 + len));
      at += 1 + len;
    }
    this.pos = resumeAt >= 0 ? resumeAt : at;
    return labels.join('.');
  }
}

function readQuestion(r: Reader): Question {
  return { name: r.name(), type: r.u16(), class: r.u16() };
}

/** Decodes RDATA of a known type; undefined for types kept raw. */
function readRdata(r: Reader, type: number, end: number): Record<string, unknown> | undefined {
  switch (type) {
    case TYPE.A:
      if (end - r.pos !== 4) throw new FormatError('A record RDATA is not 4 bytes');
      return { address: [...r.bytes(4)].join('.') };
    case TYPE.AAAA:
      if (end - r.pos !== 16) throw new FormatError('AAAA record RDATA is not 16 bytes');
      return { address: formatIPv6(r.bytes(16)) };
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR:
      return { target: r.name() };
    case TYPE.SRV:
      return { priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
    case TYPE.MX:
      return { preference: r.u16(), exchange: r.name() };
    case TYPE.SOA:
      return { mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
    default:
      return undefined;
  }
}

type Decoded = { kind: 'record'; rr: ResourceRecord } | { kind: 'opt'; edns: Edns; extendedRcode: number };

function readRecord(r: Reader): Decoded {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const rdlength = r.u16();
  r.need(rdlength);
  const end = r.pos + rdlength;
  if (type === TYPE.OPT) {
    if (name !== '') throw new FormatError('OPT record not at the root');
    const options: Edns['options'] = [];
    while (r.pos < end) {
      const code = r.u16();
      const length = r.u16();
      if (r.pos + length > end) throw new FormatError('EDNS option runs past its record');
      options.push({ code, data: Buffer.from(r.bytes(length)) });
    }
    const edns: Edns = { udpSize: klass, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0, options };
    return { kind: 'opt', edns, extendedRcode: ttl >>> 24 };
  }
  const start = r.pos;
  const data = readRdata(r, type, end);
  if (data && r.pos !== end) throw new FormatError(`RDATA length mismatch in a type ${type} record`);
  r.pos = end;
  const rr = (data ? { name, type, class: klass, ttl, ...data } : { name, type, class: klass, ttl, rdata: Buffer.from(r.buf.subarray(start, end)) }) as ResourceRecord;
  return { kind: 'record', rr };
}

/** Decodes one message; throws FormatError when it is malformed. */
export function decodeMessage(buf: Buffer): Message {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const msg: Message = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    ra: (flags & 0x80) !== 0,
    ad: (flags & 0x20) !== 0,
    cd: (flags & 0x10) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
  for (let i = 0; i < counts[0]; i++) msg.questions.push(readQuestion(r));
  const sections = [msg.answers, msg.authorities, msg.additionals];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const d = readRecord(r);
      if (d.kind === 'record') {
        sections[s]!.push(d.rr);
        continue;
      }
      if (s !== 2 || msg.edns) throw new FormatError('OPT record outside the additional section, or twice');
      msg.edns = d.edns;
      msg.rcode |= d.extendedRcode << 4;
    }
  }
  return msg;
}
