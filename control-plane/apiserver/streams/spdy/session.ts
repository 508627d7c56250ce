/**
 * The server side of a SPDY/3.1 session over any byte stream (an upgraded HTTP connection, or a
 * WebSocket carrying SPDY as kubectl's port-forward tunnel does): accepts the streams the client
 * opens (odd ids, increasing), answers PINGs, honours RST_STREAM, SETTINGS and GOAWAY, and keeps
 * the header compression state of both directions. Frames go out in the order they were queued.
 *
 * Flow control (SPDY/3.1 section 2.6.8): the session credits the peer with WINDOW_UPDATEs as the
 * application consumes each stream's data. It honours the peer's windows for what it sends once
 * the peer has shown it does flow control (sent a WINDOW_UPDATE or an initial window SETTING):
 * Kubernetes' SPDY library (moby/spdystream, inside kubectl) does none, never sending a
 * WINDOW_UPDATE, so enforcing the 64 KiB default against it would stall every stream for good.
 * Likewise the receive windows are advertised but not enforced on the peer.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { encodeFrame, FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameParser, GoAwayStatus, RstStatus, SETTINGS_INITIAL_WINDOW_SIZE, SpdyProtocolError, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';
import { SpdyStream, type StreamOwner } from './stream.js';

/** The initial stream and session window of SPDY/3.1. */
export const DEFAULT_WINDOW = 64 * 1024;
/** Outgoing DATA frames carry at most this much. */
const MAX_DATA_FRAME = 32 * 1024;

export interface SpdySessionOptions {
  /**
   * Called for each stream the peer opens, with its headers. The handler answers it: reply() to
   * accept, reset() to refuse.
   */
  onStream(stream: SpdyStream): void;
  logger: Logger;
}

export class SpdySession implements StreamOwner {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly log: Logger;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private lastPeerStreamId = 0;
  /** We sent GOAWAY: no new streams. */
  private goingAway = false;
  private ended = false;
  /** The peer does flow control, so its windows bind what we send. */
  private peerFlowControl = false;
  private peerInitialWindow = DEFAULT_WINDOW;
  private sessionSendWindow = DEFAULT_WINDOW;
  private windowWaiters: (() => void)[] = [];
  /** Streams whose readers are saturated; reading the connection resumes when none is. */
  private readonly saturated = new Set<SpdyStream>();
  private resolveClosed!: () => void;
  /** Settles when the session has ended (either side closed the connection, or destroy()). */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(
    private readonly transport: Duplex,
    private readonly opts: SpdySessionOptions,
  ) {
    this.log = opts.logger.child({ component: 'spdy' });
    transport.on('data', (chunk: Buffer) => this.receive(chunk));
    transport.on('end', () => this.destroy());
    transport.on('close', () => this.destroy());
    transport.on('error', (err) => {
      this.log.debug({ err }, 'spdy connection failed');
      this.destroy();
    });
    if (transport.destroyed) queueMicrotask(() => this.destroy());
  }

  /** Number of streams open now. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Sends GOAWAY after everything queued and closes the connection. Idempotent. */
  close(): void {
    if (this.ended || this.goingAway) return;
    this.goingAway = true;
    this.enqueue(() => encodeFrame({ type: 'goaway', lastGoodStreamId: this.lastPeerStreamId, status: GoAwayStatus.Ok }));
    this.outbound = this.outbound.then(() => {
      this.transport.end();
    });
  }

  /** Ends the session at once: every stream is destroyed, the connection dropped. Idempotent. */
  destroy(): void {
    if (this.ended) return;
    this.ended = true;
    for (const stream of [...this.streams.values()]) stream.abort();
    this.streams.clear();
    for (const wake of this.windowWaiters.splice(0)) wake();
    this.compressor.close();
    this.decompressor.close();
    this.transport.destroy();
    this.resolveClosed();
  }

  // StreamOwner

  async sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void> {
    let offset = 0;
    do {
      const want = Math.min(MAX_DATA_FRAME, data.length - offset);
      const size = want === 0 ? 0 : await this.acquireWindow(stream, want);
      const piece = data.subarray(offset, offset + size);
      offset += size;
      const flags = fin && offset >= data.length ? FLAG_FIN : 0;
      await this.enqueue(() => encodeFrame({ type: 'data', streamId: stream.id, flags, data: piece }));
    } while (offset < data.length);
  }

  sendReply(stream: SpdyStream, headers: SpdyHeaders): void {
    void this.enqueue(async () => encodeFrame({ type: 'syn_reply', streamId: stream.id, flags: 0, headerBlock: await this.compressor.compress(headers) }));
  }

  sendReset(stream: SpdyStream, status: number): void {
    void this.enqueue(() => encodeFrame({ type: 'rst_stream', streamId: stream.id, status }));
  }

  consumed(stream: SpdyStream, bytes: number): void {
    if (this.saturated.delete(stream) && this.saturated.size === 0) this.transport.resume();
    if (!this.streams.has(stream.id)) return;
    void this.enqueue(() => Buffer.concat([encodeFrame({ type: 'window_update', streamId: stream.id, delta: bytes }), encodeFrame({ type: 'window_update', streamId: 0, delta: bytes })]));
  }

  release(stream: SpdyStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    if (this.saturated.delete(stream) && this.saturated.size === 0) this.transport.resume();
  }

  // Inbound

  private receive(chunk: Buffer): void {
    if (this.ended) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const frame of frames) {
      this.inbound = this.inbound.then(() => (this.ended ? undefined : this.handle(frame))).catch((err) => this.fail(err));
    }
  }

  /** A protocol error ends the session with GOAWAY PROTOCOL_ERROR; anything else is a bug: drop the connection. */
  private fail(err: Error): void {
    if (this.ended) return;
    if (err instanceof SpdyProtocolError) {
      this.log.debug({ err }, 'spdy protocol error');
      this.goingAway = true;
      void this.enqueue(() => encodeFrame({ type: 'goaway', lastGoodStreamId: this.lastPeerStreamId, status: GoAwayStatus.ProtocolError })).then(() => this.destroy());
      return;
    }
    this.log.error({ err }, 'spdy session failed');
    this.destroy();
  }

  private async handle(frame: Frame): Promise<void> {
    switch (frame.type) {
      case 'syn_stream':
        return this.openStream(frame);
      case 'syn_reply':
      case 'headers': {
        // Decompressed even when unused: the compression state runs through every block.
        await this.decompressor.decompress(frame.headerBlock);
        if (frame.flags & FLAG_FIN) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      }
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) {
          // Data for a stream that already ended is dropped; for one never opened, refused.
          if (frame.streamId > this.lastPeerStreamId) this.sendResetId(frame.streamId, RstStatus.InvalidStream);
          return;
        }
        if (!stream.receive(frame.data, (frame.flags & FLAG_FIN) !== 0) && this.streams.has(stream.id)) {
          this.saturated.add(stream);
          this.transport.pause();
        }
        return;
      }
      case 'rst_stream':
        this.streams.get(frame.streamId)?.abort();
        return;
      case 'settings':
        for (const entry of frame.entries) {
          if (entry.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          this.peerFlowControl = true;
          const delta = entry.value - this.peerInitialWindow;
          this.peerInitialWindow = entry.value;
          for (const stream of this.streams.values()) stream.sendWindow += delta;
        }
        this.wakeWindowWaiters();
        return;
      case 'window_update': {
        this.peerFlowControl = true;
        if (frame.streamId === 0) this.sessionSendWindow += frame.delta;
        else {
          const stream = this.streams.get(frame.streamId);
          if (stream) stream.sendWindow += frame.delta;
        }
        this.wakeWindowWaiters();
        return;
      }
      case 'ping':
        // Our own pings would carry even ids; odd ones are the client's: echo them.
        if (frame.id % 2 === 1) void this.enqueue(() => encodeFrame(frame));
        return;
      case 'goaway':
        // The peer opens no more streams; the ones open finish, then it closes the connection.
        return;
      case 'unknown':
        return;
    }
  }

  private async openStream(frame: Extract<Frame, { type: 'syn_stream' }>): Promise<void> {
    const headers = await this.decompressor.decompress(frame.headerBlock);
    if (frame.streamId === 0 || frame.streamId % 2 === 0 || frame.streamId <= this.lastPeerStreamId) {
      this.sendResetId(frame.streamId, RstStatus.ProtocolError);
      return;
    }
    this.lastPeerStreamId = frame.streamId;
    // Unidirectional streams (the recipient may not answer) have no use here.
    if (this.goingAway || frame.flags & FLAG_UNIDIRECTIONAL) {
      this.sendResetId(frame.streamId, RstStatus.RefusedStream);
      return;
    }
    const stream = new SpdyStream(frame.streamId, headers, this, this.peerInitialWindow);
    this.streams.set(stream.id, stream);
    if (frame.flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
    this.opts.onStream(stream);
  }

  // Outbound

  private sendResetId(streamId: number, status: number): void {
    void this.enqueue(() => encodeFrame({ type: 'rst_stream', streamId, status }));
  }

  /**
   * Queues a frame; `produce` runs when the frames before it went out (so header blocks are
   * compressed in wire order). Resolves once the bytes are handed to the connection (after
   * 'drain' when its buffer was full); at once when the session has ended.
   */
  private enqueue(produce: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.outbound.then(async () => {
      if (this.ended) return;
      const bytes = await produce();
      if (this.ended || this.transport.write(bytes)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.transport.off('drain', done);
          this.transport.off('close', done);
          resolve();
        };
        this.transport.on('drain', done);
        this.transport.on('close', done);
      });
    });
    this.outbound = next.catch((err) => this.fail(err));
    return this.outbound;
  }

  /** Waits until `stream` may send some of `want` bytes and takes that much from the windows. */
  private async acquireWindow(stream: SpdyStream, want: number): Promise<number> {
    for (;;) {
      if (this.ended || stream.destroyed) throw new Error(`stream ${stream.id} ended`);
      if (!this.peerFlowControl) return want;
      const available = Math.min(stream.sendWindow, this.sessionSendWindow);
      if (available > 0) {
        const size = Math.min(available, want);
        stream.sendWindow -= size;
        this.sessionSendWindow -= size;
        return size;
      }
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    }
  }

  private wakeWindowWaiters(): void {
    for (const wake of this.windowWaiters.splice(0)) wake();
  }
}
