/**
 * A minimal DNS-over-UDP load client for the benchmark: one socket, queries matched to answers by
 * id, each bounded by a timeout. It writes one-question queries and reads only the header of the
 * answer (rcode, answer count), so that the client spends as little CPU per lookup as it can.
 */
import dgram from 'node:dgram';

export const QTYPE_A = 1;
export const RCODE_NOERROR = 0;
export const RCODE_NXDOMAIN = 3;

/** A standard query (RD set) for `name`/`type`, id 0. */
export function encodeQuery(name: string, type: number): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.from(l, 'ascii'));
  const out = Buffer.alloc(12 + labels.reduce((n, l) => n + 1 + l.length, 1) + 4);
  out.writeUInt16BE(0x0100, 2);
  out.writeUInt16BE(1, 4);
  let at = 12;
  for (const l of labels) {
    out[at++] = l.length;
    at += l.copy(out, at);
  }
  out[at++] = 0;
  out.writeUInt16BE(type, at);
  out.writeUInt16BE(1, at + 2);
  return out;
}

export interface Answer {
  rcode: number;
  answers: number;
}

interface Pending {
  resolve(a: Answer): void;
  reject(err: Error): void;
  deadline: number;
}

export class UdpDnsClient {
  private readonly socket = dgram.createSocket('udp4');
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly port: number,
    private readonly timeoutMs = 2000,
  ) {
    this.socket.on('message', (buf) => {
      if (buf.length < 12) return;
      const id = buf.readUInt16BE(0);
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      p.resolve({ rcode: buf[3]! & 0xf, answers: buf.readUInt16BE(6) });
    });
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [id, p] of this.pending) {
        if (p.deadline > now) continue;
        this.pending.delete(id);
        p.reject(new Error(`no answer within ${this.timeoutMs} ms`));
      }
    }, 100);
  }

  /** Sends `query` (from encodeQuery) under a fresh id; resolves with the answer's header. Rejects after the timeout, or when 65,536 queries are in flight. */
  send(query: Buffer): Promise<Answer> {
    if (this.pending.size >= 0x10000) return Promise.reject(new Error('too many queries in flight'));
    while (this.pending.has(this.nextId)) this.nextId = (this.nextId + 1) & 0xffff;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    const packet = Buffer.from(query);
    packet.writeUInt16BE(id, 0);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      this.socket.send(packet, this.port, '127.0.0.1', (err) => {
        if (!err) return;
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const p of this.pending.values()) p.reject(new Error('client closed'));
    this.pending.clear();
    this.socket.close();
  }
}
