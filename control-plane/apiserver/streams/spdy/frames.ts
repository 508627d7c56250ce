/**
 * SPDY/3.1 framing (draft 3.1, section 2.2): the wire format of data and control frames, an
 * incremental parser (bytes may arrive split anywhere) and the encoder. Header blocks stay
 * compressed here; headers.ts handles them. Pure apart from the parser's buffer.
 *
 * Control frame: 1 bit set, 15-bit version (3), 16-bit type, 8-bit flags, 24-bit length, payload.
 * Data frame:    1 bit clear, 31-bit stream id, 8-bit flags, 24-bit length, payload.
 */

export const SPDY_VERSION = 3;

/** Control frame types. */
export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender's last frame on the stream. */
export const FLAG_FIN = 0x01;
/** On SYN_STREAM: the recipient may not send on the stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

/** GOAWAY status codes. */
export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/** SETTINGS id of the initial per-stream window. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

/** Frame payloads carry at most 2^24 - 1 bytes. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

const HEADER = 8;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame of a type this implementation does not know; the spec says to ignore it. */
  | { type: 'unknown'; controlType: number };

/** A frame that breaks the framing rules; the session answers with GOAWAY PROTOCOL_ERROR. */
export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

const STREAM_ID_MASK = 0x7fffffff;

function need(payload: Buffer, size: number, what: string): void {
  if (payload.length < size) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

function decodeControl(type: number, flags: number, payload: Buffer): Frame {
  switch (type) {
    case FrameType.SynStream:
      need(payload, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        associatedId: payload.readUInt32BE(4) & STREAM_ID_MASK,
        priority: payload[8]! >> 5,
        flags,
        headerBlock: payload.subarray(10),
      };
    case FrameType.SynReply:
    case FrameType.Headers:
      need(payload, 4, type === FrameType.SynReply ? 'SYN_REPLY' : 'HEADERS');
      return { type: type === FrameType.SynReply ? 'syn_reply' : 'headers', streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, flags, headerBlock: payload.subarray(4) };
    case FrameType.RstStream:
      need(payload, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.readUInt32BE(4) };
    case FrameType.Settings: {
      need(payload, 4, 'SETTINGS');
      const count = payload.readUInt32BE(0);
      need(payload, 4 + count * 8, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < count; i++) {
        const word = payload.readUInt32BE(4 + i * 8);
        entries.push({ flags: word >>> 24, id: word & 0xffffff, value: payload.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      need(payload, 4, 'PING');
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case FrameType.GoAway:
      need(payload, 8, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.readUInt32BE(4) };
    case FrameType.WindowUpdate:
      need(payload, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, delta: payload.readUInt32BE(4) & STREAM_ID_MASK };
    default:
      return { type: 'unknown', controlType: type };
  }
}

/**
 * Incremental frame parser: push() takes the next bytes of the connection and returns every frame
 * they complete. Throws SpdyProtocolError for a control frame of another SPDY version.
 */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (buf.length >= HEADER) {
      const length = buf.readUInt32BE(4) & 0xffffff;
      if (buf.length < HEADER + length) break;
      const first = buf.readUInt32BE(0);
      const flags = buf[4]!;
      const payload = buf.subarray(HEADER, HEADER + length);
      if (first & 0x80000000) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(first & 0xffff, flags, payload));
      } else {
        frames.push({ type: 'data', streamId: first & STREAM_ID_MASK, flags, data: payload });
      }
      buf = buf.subarray(HEADER + length);
    }
    // Keep a copy: the caller may reuse its chunk.
    this.pending = Buffer.from(buf);
    return frames;
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY frame payload of ${payload.length} bytes`);
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE((0x8000 | SPDY_VERSION) * 0x10000 + type, 0);
  head.writeUInt32BE(flags * 0x1000000 + payload.length, 4);
  return Buffer.concat([head, payload]);
}

function words(...values: number[]): Buffer {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeUInt32BE(v >>> 0, i * 4));
  return buf;
}

/** The wire bytes of a frame (header blocks already compressed). */
export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY frame payload of ${frame.data.length} bytes`);
      const head = words(frame.streamId & STREAM_ID_MASK, frame.flags * 0x1000000 + frame.data.length);
      return Buffer.concat([head, frame.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & STREAM_ID_MASK, 0);
      fixed.writeUInt32BE(frame.associatedId & STREAM_ID_MASK, 4);
      fixed[8] = (frame.priority & 0x7) << 5;
      return controlFrame(FrameType.SynStream, frame.flags, Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'syn_reply':
    case 'headers':
      return controlFrame(frame.type === 'syn_reply' ? FrameType.SynReply : FrameType.Headers, frame.flags, Buffer.concat([words(frame.streamId & STREAM_ID_MASK), frame.headerBlock]));
    case 'rst_stream':
      return controlFrame(FrameType.RstStream, 0, words(frame.streamId & STREAM_ID_MASK, frame.status));
    case 'settings':
      return controlFrame(FrameType.Settings, frame.flags, words(frame.entries.length, ...frame.entries.flatMap((e) => [e.flags * 0x1000000 + (e.id & 0xffffff), e.value])));
    case 'ping':
      return controlFrame(FrameType.Ping, 0, words(frame.id));
    case 'goaway':
      return controlFrame(FrameType.GoAway, 0, words(frame.lastGoodStreamId & STREAM_ID_MASK, frame.status));
    case 'window_update':
      return controlFrame(FrameType.WindowUpdate, 0, words(frame.streamId & STREAM_ID_MASK, frame.delta & STREAM_ID_MASK));
    case 'unknown':
      throw new TypeError(`cannot encode a control frame of unknown type ${frame.controlType}`);
  }
}
