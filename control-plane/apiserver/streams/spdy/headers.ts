/**
 * SPDY/3 header blocks (draft 3.1, section 2.6.10): a 32-bit count of name/value pairs, each name
 * and value prefixed with its 32-bit length, several values of one name joined by NUL. Each
 * direction of a session compresses its blocks as one zlib stream with the preset dictionary
 * (dictionary.ts), every block ending at a sync flush, so compression state carries over from one
 * block to the next: one HeaderCompressor and one HeaderDecompressor per session.
 */
import zlib from 'node:zlib';
import { HEADER_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

/** Header names (lower case) to their values. */
export type SpdyHeaders = Record<string, string[]>;

/** A decompressed block may not exceed this; a larger one is a protocol error. */
const MAX_BLOCK_BYTES = 256 * 1024;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, values] of entries) {
    for (const text of [name.toLowerCase(), values.join('\0')]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed block; SpdyProtocolError when it is truncated or has trailing bytes. */
export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  let at = 0;
  const take = (what: string): string => {
    if (at + 4 > block.length) throw new SpdyProtocolError(`header block truncated in a ${what} length`);
    const length = block.readUInt32BE(at);
    at += 4;
    if (at + length > block.length) throw new SpdyProtocolError(`header block truncated in a ${what}`);
    const text = block.toString('utf8', at, at + length);
    at += length;
    return text;
  };
  if (block.length < 4) throw new SpdyProtocolError('header block shorter than its count');
  const count = block.readUInt32BE(0);
  at = 4;
  const headers: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = take('name').toLowerCase();
    const values = take('value').split('\0');
    headers[name] = [...(headers[name] ?? []), ...values];
  }
  if (at !== block.length) throw new SpdyProtocolError('header block has trailing bytes');
  return headers;
}

/**
 * Runs one block through a zlib stream and collects what it produces up to the sync flush. Calls
 * are serialised, so blocks keep their order in the shared compression state.
 */
class ZlibPipe {
  private chain: Promise<unknown> = Promise.resolve();
  private output: Buffer[] = [];
  private outputBytes = 0;
  private failure: Error | undefined;

  constructor(private readonly stream: zlib.Inflate | zlib.Deflate) {
    stream.on('data', (chunk: Buffer) => {
      this.output.push(chunk);
      this.outputBytes += chunk.length;
      // A block that inflates without bound (a zlib bomb) ends the stream, and so the session.
      if (this.outputBytes > MAX_BLOCK_BYTES) stream.destroy(new Error(`header block of more than ${MAX_BLOCK_BYTES} bytes`));
    });
    stream.on('error', (err) => {
      this.failure = err;
    });
  }

  run(input: Buffer): Promise<Buffer> {
    const result = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failure) return reject(new SpdyProtocolError(`header compression failed earlier: ${this.failure.message}`));
          const onError = (err: Error) => reject(new SpdyProtocolError(`header block does not decompress: ${err.message}`));
          this.stream.once('error', onError);
          this.stream.write(input);
          this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.stream.off('error', onError);
            const out = Buffer.concat(this.output);
            this.output = [];
            this.outputBytes = 0;
            resolve(out);
          });
        }),
    );
    this.chain = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** Compresses the header blocks one side of a session sends. */
export class HeaderCompressor {
  private readonly pipe = new ZlibPipe(zlib.createDeflate({ dictionary: HEADER_DICTIONARY }));

  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.pipe.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.pipe.close();
  }
}

/** Decompresses the header blocks one side of a session receives; rejects with SpdyProtocolError. */
export class HeaderDecompressor {
  private readonly pipe = new ZlibPipe(zlib.createInflate({ dictionary: HEADER_DICTIONARY }));

  async decompress(compressed: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.pipe.run(compressed));
  }

  close(): void {
    this.pipe.close();
  }
}
