/**
 * One query to one upstream resolver, over UDP (a fresh socket, so a fresh source port, per
 * query) or TCP (RFC 1035 §4.2.2 length-prefixed), bounded by a timeout. Only a response with
 * the query's id and question is accepted; anything else arriving on the socket is ignored.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { decodeMessage } from './decode.js';
import { sameName, type Message, type Question } from './message.js';

export interface UpstreamServer {
  address: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353` → server; throws on anything else. */
export function parseUpstream(text: string): UpstreamServer {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const [address, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : net.isIPv6(text)
      ? [text, undefined]
      : (text.split(':') as [string, string | undefined]);
  const n = port === undefined ? 53 : Number(port);
  if (!net.isIP(address) || !Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid upstream resolver "${text}": want IP or IP:port`);
  return { address, port: n };
}

/** `address:port` (IPv6 in brackets), for logs. */
export function formatUpstream(s: UpstreamServer): string {
  return net.isIPv6(s.address) ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

function matches(reply: Message, id: number, q: Question): boolean {
  const rq = reply.questions[0];
  return reply.qr && reply.id === id && !!rq && rq.type === q.type && rq.class === q.class && sameName(rq.name, q.name);
}

/** Sends `query` (id `id`, question `q`) over UDP; resolves with the matching response, rejects on timeout or a socket error. */
export function exchangeUdp(server: UpstreamServer, query: Buffer, id: number, q: Question, timeoutMs: number): Promise<Message> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, reply?: Message) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${formatUpstream(server)} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('message', (buf, rinfo) => {
      if (rinfo.port !== server.port) return;
      let reply: Message;
      try {
        reply = decodeMessage(buf);
      } catch {
        return;
      }
      if (matches(reply, id, q)) finish(undefined, reply);
    });
    socket.send(query, server.port, server.address, (err) => {
      if (err) finish(err);
    });
  });
}

/** Sends `query` over TCP; resolves with the matching response, rejects on timeout, a connection error or a mismatched reply. */
export function exchangeTcp(server: UpstreamServer, query: Buffer, id: number, q: Question, timeoutMs: number): Promise<Message> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.address, port: server.port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | undefined, reply?: Message) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer over TCP from ${formatUpstream(server)} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      try {
        const reply = decodeMessage(received.subarray(2, 2 + received.readUInt16BE(0)));
        finish(matches(reply, id, q) ? undefined : new Error(`mismatched answer over TCP from ${formatUpstream(server)}`), reply);
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('end', () => finish(new Error(`${formatUpstream(server)} closed the TCP connection without an answer`)));
  });
}
