/**
 * One SPDY stream a peer opened, as a Node Duplex: the readable side is the peer's DATA (ending at
 * its FIN), the writable side sends DATA (end() sends FIN). The session (session.ts) owns the wire;
 * this class keeps the stream's state: replied, half-closed either way, reset, and the receive
 * credit it owes the peer.
 *
 * A stream never emits 'error': a peer's RST_STREAM or the end of the session destroys it quietly
 * ('close' without 'end'). Consume its readable side (or reset it): while unread data is over the
 * high-water mark, the session stops reading the connection.
 */
import { Duplex } from 'node:stream';
import { RstStatus } from './frames.js';
import type { SpdyHeaders } from './headers.js';

/** What a stream asks of its session. */
export interface StreamOwner {
  /** Sends `data` (split into frames and within the send windows), FIN on the last one when `fin`; resolves once written. */
  sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void>;
  sendReply(stream: SpdyStream, headers: SpdyHeaders): void;
  sendReset(stream: SpdyStream, status: number): void;
  /** The application consumed `bytes` of the stream's data: credit the peer. */
  consumed(stream: SpdyStream, bytes: number): void;
  /** The stream ended both ways or was reset: forget it. */
  release(stream: SpdyStream): void;
}

export class SpdyStream extends Duplex {
  private replied = false;
  private finSent = false;
  private finReceived = false;
  private wasReset = false;
  /** Bytes pushed to the reader and not yet credited to the peer. */
  private uncredited = 0;
  /** Bytes the peer lets this stream send (only enforced once the peer shows it does flow control). */
  sendWindow: number;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly owner: StreamOwner,
    initialSendWindow: number,
  ) {
    super({ allowHalfOpen: true });
    this.sendWindow = initialSendWindow;
  }

  /** The first value of a header, or undefined. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts the stream with a SYN_REPLY. Idempotent; writing replies first when needed. */
  reply(headers: SpdyHeaders = {}): void {
    if (this.replied || this.wasReset || this.destroyed) return;
    this.replied = true;
    this.owner.sendReply(this, headers);
  }

  /** Aborts the stream with RST_STREAM `status` (CANCEL by default). Idempotent. */
  reset(status: number = RstStatus.Cancel): void {
    if (this.wasReset || this.destroyed) return;
    this.wasReset = true;
    this.owner.sendReset(this, status);
    this.destroy();
  }

  /** Session side: the peer's DATA (`fin` on its last frame). Returns false when the reader is saturated. */
  receive(data: Buffer, fin: boolean): boolean {
    if (this.finReceived || this.destroyed) return true;
    let open = true;
    if (data.length > 0) {
      this.uncredited += data.length;
      open = this.push(data);
      if (open) this.credit();
    }
    if (fin) {
      this.finReceived = true;
      this.push(null);
      this.releaseIfDone();
    }
    return open;
  }

  /** Session side: the peer reset the stream, or the session ended. */
  abort(): void {
    this.wasReset = true;
    this.destroy();
  }

  override _read(): void {
    this.credit();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.reply();
    this.owner.sendData(this, chunk, false).then(() => callback(), callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.reply();
    this.owner.sendData(this, Buffer.alloc(0), true).then(() => {
      this.finSent = true;
      this.releaseIfDone();
      callback();
    }, callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.wasReset && !(this.finSent && this.finReceived)) {
      this.wasReset = true;
      this.owner.sendReset(this, RstStatus.Cancel);
    }
    this.owner.release(this);
    callback(err);
  }

  private credit(): void {
    if (this.uncredited === 0 || this.finReceived) return;
    const bytes = this.uncredited;
    this.uncredited = 0;
    this.owner.consumed(this, bytes);
  }

  private releaseIfDone(): void {
    if (this.finSent && this.finReceived) this.owner.release(this);
  }
}
