import { Duplex, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FrameParser, limitBytes, outputFrames, streamSession, type Frame } from './streams.js';

function frame(type: number, text: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}

const show = (frames: Frame[]) => frames.map((f) => `${f.stream}:${f.data.toString()}`);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  return (await collect(stream)).map(String).join('');
}

/** A stand-in for a hijacked connection: push() is what the engine sends, `written` what we sent. */
function fakeSocket() {
  const written: string[] = [];
  let halfClosed = false;
  const socket = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      written.push(chunk.toString());
      cb();
    },
    final(cb) {
      halfClosed = true;
      cb();
    },
  });
  return { socket, written, halfClosed: () => halfClosed };
}

describe('FrameParser', () => {
  const stream = Buffer.concat([frame(1, 'out-1\n'), frame(2, 'err\n'), frame(0, 'stdin echo'), frame(1, ''), frame(3, 'engine'), frame(1, 'out-2')]);
  const expected = ['stdout:out-1\n', 'stderr:err\n', 'stderr:engine', 'stdout:out-2'];

  it('demultiplexes whole frames, dropping stdin echoes and empty frames', () => {
    expect(show(new FrameParser().push(stream))).toEqual(expected);
  });

  it('reassembles frames split at every possible point', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new FrameParser();
      expect(show([...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))]), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('reassembles byte by byte', () => {
    const parser = new FrameParser();
    const frames = [...stream].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect(show(frames)).toEqual(expected);
  });
});

describe('outputFrames', () => {
  it('passes TTY output through as stdout', async () => {
    expect(show(await collect(outputFrames(Readable.from([Buffer.from('raw '), 'text']), true)))).toEqual(['stdout:raw ', 'stdout:text']);
  });
});

describe('limitBytes', () => {
  it.each([
    [undefined, 'abcdefgh'],
    [0, ''],
    [3, 'abc'],
    [5, 'abcde'],
    [100, 'abcdefgh'],
  ])('limit %s gives %j', async (limit, expected) => {
    const chunks = await collect(limitBytes(Readable.from([Buffer.from('abc'), Buffer.from('defgh')]), limit));
    expect(Buffer.concat(chunks).toString()).toBe(expected);
  });
});

describe('streamSession', () => {
  const all = { stdin: true, stdout: true, stderr: true, tty: false };

  it('routes stdout and stderr, feeds stdin, half-closes on end, then reports the exit code', async () => {
    const { socket, written, halfClosed } = fakeSocket();
    const session = streamSession(socket, all, async () => undefined, async () => 42);
    const out = readAll(session.stdout!);
    const err = readAll(session.stderr!);
    session.stdin!.end('input');
    socket.push(frame(1, 'hello '));
    socket.push(frame(2, 'oops'));
    socket.push(frame(1, 'world'));
    socket.push(null);
    expect(await out).toBe('hello world');
    expect(await err).toBe('oops');
    expect(await session.exitCode).toBe(42);
    expect(written).toEqual(['input']);
    expect(halfClosed()).toBe(true);
  });

  it('gives only the requested streams, and everything on stdout with a TTY', async () => {
    const { socket } = fakeSocket();
    const session = streamSession(socket, { stdin: false, stdout: true, stderr: true, tty: true }, async () => undefined, async () => 0);
    expect(session.stdin).toBeUndefined();
    expect(session.stderr).toBeUndefined();
    const out = readAll(session.stdout!);
    socket.push('prompt$ ');
    socket.push(null);
    expect(await out).toBe('prompt$ ');
  });

  it('closes the connection when the consumer abandons the output, and the exit code rejects', async () => {
    const { socket } = fakeSocket();
    const session = streamSession(socket, all, async () => undefined, async () => 0);
    session.stdout!.destroy();
    await expect(session.exitCode).rejects.toThrow();
    expect(socket.destroyed).toBe(true);
  });
});
