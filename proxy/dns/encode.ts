/**
 * Message → wire format (RFC 1035 §4.1) with name compression, and truncation to a size limit:
 * answer and authority records that do not fit are dropped with the TC bit set (the client retries
 * over TCP); additional records that do not fit are dropped without it (RFC 2181 §9). The OPT
 * record always fits: its room is kept first.
 */
import { ipv4Bytes, ipv6Bytes } from './ip-address.js';
import { TYPE, type Edns, type Message, type ResourceRecord } from './message.js';

/** The largest DNS message (TCP's length prefix is 16 bits). */
export const MAX_MESSAGE_SIZE = 65535;

/** Compression pointers hold 14-bit offsets. */
const MAX_POINTER = 0x3fff;

/** Thrown when `limit` leaves no room for the header, question and OPT record. */
export class MessageTooLargeError extends Error {}

class Writer {
  buf = Buffer.allocUnsafe(512);
  len = 0;
  private readonly names = new Map<string, number>();

  private reserve(n: number): void {
    if (this.len + n > MAX_MESSAGE_SIZE) throw new MessageTooLargeError(`message exceeds ${MAX_MESSAGE_SIZE} bytes`);
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.min(MAX_MESSAGE_SIZE, Math.max(this.buf.length * 2, this.len + n)));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.reserve(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: Buffer): void {
    this.reserve(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** A name; with `compress`, ending in a pointer to an equal suffix written before, and offering its own suffixes. */
  name(name: string, compress: boolean): void {
    const text = name.endsWith('.') ? name.slice(0, -1) : name;
    if (text === '') {
      this.u8(0);
      return;
    }
    const lower = text.toLowerCase();
    let pos = 0;
    while (pos < text.length) {
      if (compress) {
        const suffix = lower.slice(pos);
        const at = this.names.get(suffix);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
        if (this.len <= MAX_POINTER) this.names.set(suffix, this.len);
      }
      const dot = text.indexOf('.', pos);
      const end = dot < 0 ? text.length : dot;
      const label = Buffer.from(text.slice(pos, end), 'latin1');
      if (label.length === 0 || label.length > 63) throw new Error(`invalid label in name "${name}"`);
      this.u8(label.length);
      this.bytes(label);
      pos = end + 1;
    }
    this.u8(0);
  }

  /** The written bytes (a view of the writer's own buffer, which nothing else holds). */
  done(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function writeRdata(w: Writer, rr: ResourceRecord): void {
  if ('rdata' in rr) {
    w.bytes(rr.rdata);
    return;
  }
  switch (rr.type) {
    case TYPE.A:
      w.bytes(ipv4Bytes(rr.address));
      return;
    case TYPE.AAAA:
      w.bytes(ipv6Bytes(rr.address));
      return;
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR:
      w.name(rr.target, true);
      return;
    case TYPE.SRV:
      w.u16(rr.priority);
      w.u16(rr.weight);
      w.u16(rr.port);
      // RFC 2782: the target is not compressed.
      w.name(rr.target, false);
      return;
    case TYPE.MX:
      w.u16(rr.preference);
      w.name(rr.exchange, true);
      return;
    case TYPE.SOA:
      w.name(rr.mname, true);
      w.name(rr.rname, true);
      for (const v of [rr.serial, rr.refresh, rr.retry, rr.expire, rr.minimum]) w.u32(v);
      return;
    case TYPE.TXT:
      for (const text of rr.texts) {
        const b = Buffer.from(text, 'utf8');
        if (b.length > 255) throw new Error('TXT string longer than 255 bytes');
        w.u8(b.length);
        w.bytes(b);
      }
      return;
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name, true);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lengthAt = w.len;
  w.u16(0);
  writeRdata(w, rr);
  w.buf.writeUInt16BE(w.len - lengthAt - 2, lengthAt);
}

/** Bytes of the OPT record for `edns` carrying the high bits of `rcode`. */
function optSize(edns: Edns): number {
  return 11 + edns.options.reduce((n, o) => n + 4 + o.data.length, 0);
}

function writeOpt(w: Writer, edns: Edns, rcode: number): void {
  w.u8(0);
  w.u16(TYPE.OPT);
  w.u16(edns.udpSize);
  w.u8(rcode >> 4);
  w.u8(edns.version);
  w.u16(edns.dnssecOk ? 0x8000 : 0);
  w.u16(edns.options.reduce((n, o) => n + 4 + o.data.length, 0));
  for (const o of edns.options) {
    w.u16(o.code);
    w.u16(o.data.length);
    w.bytes(o.data);
  }
}

/**
 * Encodes `msg` into at most `limit` bytes (default: no limit but the 64 KiB of the format),
 * truncating as the module comment says. Throws MessageTooLargeError when not even the header,
 * question and OPT record fit, and Error for a record that cannot be written (an invalid name).
 */
export function encodeMessage(msg: Message, limit = MAX_MESSAGE_SIZE): Buffer {
  if (msg.rcode > 15 && !msg.edns) throw new Error(`rcode ${msg.rcode} needs EDNS`);
  const w = new Writer();
  const room = Math.min(limit, MAX_MESSAGE_SIZE) - (msg.edns ? optSize(msg.edns) : 0);
  let tc = msg.tc;
  w.u16(msg.id);
  w.u16(0); // flags, written below once TC is known
  w.u16(msg.questions.length);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  for (const q of msg.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  if (w.len > room) throw new MessageTooLargeError(`the question alone exceeds ${limit} bytes`);

  const counts = [0, 0, 0];
  const sections = [msg.answers, msg.authorities, msg.additionals];
  let full = false;
  for (let s = 0; s < 3 && !full; s++) {
    for (const rr of sections[s]!) {
      const mark = w.len;
      let fits = true;
      try {
        writeRecord(w, rr);
        fits = w.len <= room;
      } catch (err) {
        if (!(err instanceof MessageTooLargeError)) throw err;
        fits = false;
      }
      if (!fits) {
        w.len = mark;
        full = true;
        if (s < 2) tc = true;
        break;
      }
      counts[s]!++;
    }
  }
  if (msg.edns) {
    writeOpt(w, msg.edns, msg.rcode);
    counts[2]!++;
  }
  const flags =
    (msg.qr ? 0x8000 : 0) |
    ((msg.opcode & 0xf) << 11) |
    (msg.aa ? 0x400 : 0) |
    (tc ? 0x200 : 0) |
    (msg.rd ? 0x100 : 0) |
    (msg.ra ? 0x80 : 0) |
    (msg.ad ? 0x20 : 0) |
    (msg.cd ? 0x10 : 0) |
    (msg.rcode & 0xf);
  w.buf.writeUInt16BE(flags, 2);
  w.buf.writeUInt16BE(counts[0]!, 6);
  w.buf.writeUInt16BE(counts[1]!, 8);
  w.buf.writeUInt16BE(counts[2]!, 10);
  return w.done();
}
