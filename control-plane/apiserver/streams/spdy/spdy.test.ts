// The SPDY/3.1 server session against a scripted client over a real loopback TCP connection,
// including the exact bytes kubectl 1.33 sent in its port-forward tunnel (shared/kubectl-probe).
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HEADER_DICTIONARY } from './dictionary.js';
import { encodeFrame, FLAG_FIN, FrameParser, GoAwayStatus, RstStatus, SETTINGS_INITIAL_WINDOW_SIZE, type Frame } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';
import { SpdySession } from './session.js';
import type { SpdyStream } from './stream.js';

const logger = pino({ level: 'silent' });

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const x of buf) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A scripted SPDY client: sends frames, collects what the server sends (header blocks decoded). */
class Client {
  readonly received: (Frame & { headers?: SpdyHeaders })[] = [];
  ended = false;
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private chain = Promise.resolve();
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.parser.push(chunk)) {
        this.chain = this.chain.then(async () => {
          const f: Frame & { headers?: SpdyHeaders } = frame;
          if (f.type === 'syn_reply' || f.type === 'syn_stream' || f.type === 'headers') f.headers = await this.decompressor.decompress(f.headerBlock);
          this.received.push(f);
          for (const w of this.waiters.splice(0)) w();
        });
      }
    });
    socket.on('end', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async open(streamId: number, headers: SpdyHeaders, flags = 0): Promise<void> {
    this.socket.write(encodeFrame({ type: 'syn_stream', streamId, associatedId: 0, priority: 0, flags, headerBlock: await this.compressor.compress(headers) }));
  }

  send(frame: Frame): void {
    this.socket.write(encodeFrame(frame));
  }

  /** The first received frame matching `match`, waiting up to 5 s. */
  async next(match: (f: Frame & { headers?: SpdyHeaders }) => boolean, what = 'frame'): Promise<Frame & { headers?: SpdyHeaders }> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${what} among ${JSON.stringify(this.received.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** All DATA the server sent on `streamId` until its FIN. */
  async readAll(streamId: number): Promise<string> {
    const parts: Buffer[] = [];
    for (;;) {
      const f = await this.next((x) => x.type === 'data' && x.streamId === streamId, `data on ${streamId}`);
      if (f.type !== 'data') throw new Error('unreachable');
      parts.push(f.data);
      if (f.flags & FLAG_FIN) return Buffer.concat(parts).toString('utf8');
    }
  }
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A session on the server end of a loopback connection, and a client on the other end. */
async function connect(onStream: (s: SpdyStream) => void): Promise<{ session: SpdySession; client: Client }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const serverSide = await accepted;
  const session = new SpdySession(serverSide, { onStream, logger });
  cleanup.push(() => {
    session.destroy();
    socket.destroy();
    server.close();
  });
  return { session, client: new Client(socket) };
}

describe('header compression', () => {
  it('uses the spec dictionary (1423 bytes, zlib dictionary id e3c6a7c2 as kubectl announces)', () => {
    expect(HEADER_DICTIONARY.length).toBe(1423);
    expect(adler32(HEADER_DICTIONARY).toString(16)).toBe('e3c6a7c2');
    expect(HEADER_DICTIONARY.subarray(HEADER_DICTIONARY.length - 6).toString()).toBe('enq=0.');
  });

  it('reads two consecutive header blocks of kubectl 1.33 from one compression stream', async () => {
    const d = new HeaderDecompressor();
    try {
      expect(await d.decompress(Buffer.from('78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45a024cc6461c0c0c0c0590489c44c50e2663400000000ffff', 'hex'))).toEqual({
        streamtype: ['error'],
        port: ['80'],
        requestid: ['0'],
      });
      expect(await d.decompress(Buffer.from('c2aa15540a2512d209000000ffff', 'hex'))).toEqual({ streamtype: ['data'], port: ['80'], requestid: ['0'] });
    } finally {
      d.close();
    }
  });

  it('round-trips blocks through a compressor and decompressor pair, multi-valued headers included', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    try {
      for (const headers of [{}, { streamtype: ['stdout'] }, { a: ['1', '2'], 'x-long': ['y'.repeat(5000)] }]) {
        expect(await d.decompress(await c.compress(headers))).toEqual(headers);
      }
    } finally {
      c.close();
      d.close();
    }
  });

  it.each([
    ['truncated count', Buffer.from([0, 0, 1])],
    ['truncated name', Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 0x61])],
    ['trailing bytes', Buffer.concat([encodeHeaderBlock({ a: ['b'] }), Buffer.from([0])])],
  ])('refuses a malformed block: %s', (_what, block) => {
    expect(() => decodeHeaderBlock(block)).toThrow(/header block/);
  });

  it('refuses bytes that are not a zlib stream with the dictionary', async () => {
    const d = new HeaderDecompressor();
    try {
      await expect(d.decompress(Buffer.from('not zlib at all'))).rejects.toThrow(/does not decompress/);
    } finally {
      d.close();
    }
  });
});

describe('frames', () => {
  it.each<Frame>([
    { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hello') },
    { type: 'syn_stream', streamId: 7, associatedId: 0, priority: 3, flags: 0, headerBlock: Buffer.from([1, 2, 3]) },
    { type: 'syn_reply', streamId: 7, flags: 0, headerBlock: Buffer.from([9]) },
    { type: 'headers', streamId: 7, flags: FLAG_FIN, headerBlock: Buffer.alloc(0) },
    { type: 'rst_stream', streamId: 3, status: RstStatus.Cancel },
    { type: 'settings', flags: 0, entries: [{ flags: 1, id: SETTINGS_INITIAL_WINDOW_SIZE, value: 1000 }] },
    { type: 'ping', id: 1 },
    { type: 'goaway', lastGoodStreamId: 7, status: GoAwayStatus.Ok },
    { type: 'window_update', streamId: 0, delta: 4096 },
  ])('encodes and parses $type, even one byte at a time', (frame) => {
    const bytes = encodeFrame(frame);
    const parser = new FrameParser();
    const out: Frame[] = [];
    for (const b of bytes) out.push(...parser.push(Buffer.from([b])));
    expect(out).toEqual([frame]);
  });

  it('ignores control frames of unknown types and refuses other SPDY versions', () => {
    expect(new FrameParser().push(Buffer.from('80030005000000020000', 'hex'))).toEqual([{ type: 'unknown', controlType: 5 }]);
    expect(() => new FrameParser().push(Buffer.from('8002000600000004' + '00000001', 'hex'))).toThrow('unsupported SPDY version 2');
  });
});

describe('SpdySession', () => {
  it("accepts kubectl 1.33's port-forward streams as its tunnel splits them, and replies", async () => {
    const streams: SpdyStream[] = [];
    const { client } = await connect((s) => {
      streams.push(s);
      s.reply();
      s.resume();
    });
    // The exact WebSocket message payloads kubectl sent (kubectl-probe/full-1.33.txt #180).
    const pieces = ['8003', '0001', '0000003d', '00000001', '00000000', '00', '00', '78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45a024cc6461c0c0c0c0590489c44c50e2663400000000ffff', '00000001', '01000000', '', '8003', '0001', '00000018', '00000003', '00000000', '00', '00', 'c2aa15540a2512d209000000ffff'];
    for (const hex of pieces) client.socket.write(Buffer.from(hex, 'hex'));
    expect((await client.next((f) => f.type === 'syn_reply' && f.streamId === 1)).headers).toEqual({});
    expect((await client.next((f) => f.type === 'syn_reply' && f.streamId === 3)).headers).toEqual({});
    expect(streams.map((s) => [s.id, s.headers])).toEqual([
      [1, { streamtype: ['error'], port: ['80'], requestid: ['0'] }],
      [3, { streamtype: ['data'], port: ['80'], requestid: ['0'] }],
    ]);
    expect(streams[0]!.readableEnded).toBe(true);
  });

  it('carries data both ways with half-closes, and credits consumed data with WINDOW_UPDATEs', async () => {
    const { client } = await connect((s) => {
      s.reply();
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => s.end(`echo:${Buffer.concat(chunks).toString()}`));
    });
    await client.open(1, { streamtype: ['data'] });
    client.send({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('hello ') });
    client.send({ type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.from('world') });
    expect(await client.readAll(1)).toBe('echo:hello world');
    const update = await client.next((f) => f.type === 'window_update' && f.streamId === 1);
    expect(update).toMatchObject({ delta: 6 });
    await client.next((f) => f.type === 'window_update' && f.streamId === 0);
  });

  it('sends more than the default window to a peer without flow control (kubectl)', async () => {
    const big = Buffer.alloc(300 * 1024, 7);
    const { client } = await connect((s) => {
      s.reply();
      s.resume();
      s.end(big);
    });
    await client.open(1, { streamtype: ['stdout'] });
    expect((await client.readAll(1)).length).toBe(big.length);
  });

  it('keeps to the windows of a peer that does flow control', async () => {
    const { client } = await connect((s) => {
      s.reply();
      s.resume();
      s.end(Buffer.alloc(5000, 1));
    });
    client.send({ type: 'settings', flags: 0, entries: [{ flags: 0, id: SETTINGS_INITIAL_WINDOW_SIZE, value: 1000 }] });
    await client.open(1, { streamtype: ['stdout'] });
    await client.next((f) => f.type === 'data' && f.streamId === 1 && f.data.length === 1000);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.received.filter((f) => f.type === 'data')).toEqual([]);
    client.send({ type: 'window_update', streamId: 1, delta: 4000 });
    const rest = await client.next((f) => f.type === 'data' && f.streamId === 1);
    expect(rest.type === 'data' && rest.data.length).toBe(4000);
  });

  it('destroys a stream the peer resets, without an error', async () => {
    let stream!: SpdyStream;
    const closed = new Promise<void>((resolve) => {
      void connect((s) => {
        stream = s;
        s.reply();
        s.on('error', () => expect.fail('a reset stream must not emit error'));
        s.on('close', resolve);
      }).then(async ({ client }) => {
        await client.open(1, { streamtype: ['data'] });
        await client.next((f) => f.type === 'syn_reply');
        client.send({ type: 'rst_stream', streamId: 1, status: RstStatus.Cancel });
      });
    });
    await closed;
    expect(stream.destroyed).toBe(true);
  });

  it('resets a stream its handler destroys, and refuses reused and even stream ids', async () => {
    const { client } = await connect((s) => {
      if (s.header('streamtype') === 'bad') s.reset(RstStatus.RefusedStream);
      else s.destroy();
    });
    await client.open(1, { streamtype: ['bad'] });
    expect(await client.next((f) => f.type === 'rst_stream' && f.streamId === 1)).toMatchObject({ status: RstStatus.RefusedStream });
    await client.open(3, { streamtype: ['other'] });
    expect(await client.next((f) => f.type === 'rst_stream' && f.streamId === 3)).toMatchObject({ status: RstStatus.Cancel });
    await client.open(3, {});
    expect(await client.next((f) => f.type === 'rst_stream' && f.streamId === 3)).toMatchObject({ status: RstStatus.ProtocolError });
    await client.open(4, {});
    expect(await client.next((f) => f.type === 'rst_stream' && f.streamId === 4)).toMatchObject({ status: RstStatus.ProtocolError });
  });

  it("echoes the client's pings and ignores answers to its own", async () => {
    const { client } = await connect(() => undefined);
    client.send({ type: 'ping', id: 2 });
    client.send({ type: 'ping', id: 3 });
    expect(await client.next((f) => f.type === 'ping')).toEqual({ type: 'ping', id: 3 });
    await new Promise((r) => setTimeout(r, 100));
    expect(client.received).toEqual([]);
  });

  it('answers a malformed connection with GOAWAY PROTOCOL_ERROR and closes it', async () => {
    const { session, client } = await connect(() => undefined);
    client.socket.write(Buffer.from('8002000100000004' + '00000001', 'hex'));
    expect(await client.next((f) => f.type === 'goaway')).toMatchObject({ status: GoAwayStatus.ProtocolError });
    await session.closed;
  });

  it('closes with GOAWAY naming the last stream, and ends when the peer hangs up', async () => {
    const { session, client } = await connect((s) => s.reply());
    await client.open(5, {});
    await client.next((f) => f.type === 'syn_reply');
    session.close();
    expect(await client.next((f) => f.type === 'goaway')).toEqual({ type: 'goaway', lastGoodStreamId: 5, status: GoAwayStatus.Ok });
    await session.closed;
  });
});
