/**
 * Docker's stream plumbing: the multiplexed framing of stdout/stderr (used when a container or
 * exec has no TTY), hijacked connections as StreamSessions, and byte limits.
 */
import { PassThrough, Writable, type Duplex } from 'node:stream';
import type { StreamOptions, StreamSession } from '../runtime.js';

export interface Frame {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

const HEADER = 8;

/**
 * Incremental parser of Docker's multiplexed stream: frames of an 8-byte header (stream type:
 * 0 stdin, 1 stdout, 2 stderr, 3 engine error; three zero bytes; big-endian payload length) and
 * the payload. Chunks may split frames anywhere.
 */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (buf.length >= HEADER) {
      const size = buf.readUInt32BE(4);
      if (buf.length < HEADER + size) break;
      const type = buf[0];
      if (size > 0 && type !== 0) frames.push({ stream: type === 1 ? 'stdout' : 'stderr', data: buf.subarray(HEADER, HEADER + size) });
      buf = buf.subarray(HEADER + size);
    }
    this.pending = buf;
    return frames;
  }
}

/** The output of a Docker stream as frames: demultiplexed, or everything as stdout with a TTY. */
export async function* outputFrames(source: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<Frame> {
  const parser = new FrameParser();
  for await (const chunk of source) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (tty) yield { stream: 'stdout', data };
    else yield* parser.push(data);
  }
}

/** Chunks of `source` up to `limit` bytes in all (the last one cut); stops reading there. */
export async function* limitBytes(source: AsyncIterable<Buffer>, limit: number | undefined): AsyncGenerator<Buffer> {
  let left = limit ?? Infinity;
  if (left <= 0) return;
  for await (const chunk of source) {
    const data = chunk.length > left ? chunk.subarray(0, left) : chunk;
    left -= data.length;
    yield data;
    if (left <= 0) return;
  }
}

/** Resolves once `target` took `data` (after 'drain' when its buffer is full), or at once when it is gone. */
export function writeAsync(target: Writable, data: Buffer): Promise<void> {
  if (target.destroyed || target.writableEnded) return Promise.resolve();
  if (target.write(data)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done);
    target.once('close', done);
  });
}

/** A Writable feeding a hijacked connection; ending it half-closes the connection (stdin EOF). */
export function stdinWriter(socket: Duplex): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, (err) => callback(err ?? null));
    },
    final(callback) {
      socket.end();
      callback();
    },
  });
}

/** How a session learns its exit code once its output has ended. */
export type ExitCodeSource = () => Promise<number>;

/**
 * A StreamSession over a hijacked exec/attach connection. Output frames go to stdout/stderr
 * (everything to stdout with a TTY) honouring backpressure: consume every stream you asked for.
 * Destroying stdout or stderr before the end abandons the session (closes the connection).
 * `exitCode` resolves after all output was delivered; it rejects when the connection failed.
 */
export function streamSession(socket: Duplex, opts: StreamOptions, resize: StreamSession['resize'], exitCodeSource: ExitCodeSource): StreamSession {
  const stdout = opts.stdout ? new PassThrough() : undefined;
  const stderr = opts.stderr && !opts.tty ? new PassThrough() : undefined;
  let finished = false;
  const abandon = () => {
    if (!finished) socket.destroy();
  };
  stdout?.once('close', abandon);
  stderr?.once('close', abandon);
  const output = (async () => {
    try {
      for await (const frame of outputFrames(socket, opts.tty)) {
        const target = frame.stream === 'stderr' ? stderr : stdout;
        if (target) await writeAsync(target, frame.data);
      }
    } finally {
      finished = true;
      stdout?.end();
      stderr?.end();
    }
  })();
  const exitCode = output.then(exitCodeSource);
  // Callers that never look at the exit code must not see an unhandled rejection.
  exitCode.catch(() => undefined);
  return { stdin: opts.stdin ? stdinWriter(socket) : undefined, stdout, stderr, resize, exitCode };
}
