/**
 * The DNS transports: for each listen address a UDP socket and a TCP server (RFC 1035 §4.2.2:
 * each message prefixed with its 16-bit length; several per connection, answered as they
 * complete) on the same port. Port 0 picks a port free for both. Requests are handed to `handle`;
 * its undefined means no reply.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Transport } from './handler.js';

export interface ListenAddress {
  address: string;
  port: number;
}

export type RequestHandler = (packet: Buffer, transport: Transport) => Promise<Buffer | undefined>;

export interface DnsListeners {
  /** Where it listens (the ports picked for port 0 filled in), in the order asked. */
  addresses: ListenAddress[];
  /** Closes every socket and TCP connection. Idempotent. */
  close(): Promise<void>;
}

/** A TCP connection with nothing sent for this long is closed. */
const TCP_IDLE_MS = 10_000;
/** Kernel receive buffer asked for each UDP socket (the kernel caps it at net.core.rmem_max). */
const UDP_RECV_BUFFER = 4 * 2 ** 20;
const PICK_PORT_TRIES = 10;

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4', recvBufferSize: UDP_RECV_BUFFER });
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: net.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const closeUdp = (s: dgram.Socket) => new Promise<void>((resolve) => s.close(() => resolve()));

/** Serves one TCP connection: frames in, handled concurrently, framed answers out. */
function serveConnection(conn: net.Socket, handle: RequestHandler, log: Logger): void {
  let pending: Buffer = Buffer.alloc(0);
  conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
  conn.on('error', (err) => log.debug({ err: err.message }, 'DNS TCP connection failed'));
  conn.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const frame = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + frame.length);
      void handle(Buffer.from(frame), 'tcp').then((reply) => {
        if (!reply || conn.destroyed) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        conn.write(Buffer.concat([prefix, reply]));
      });
    }
  });
}

/** Binds UDP and TCP on `address`:`port` (0: a port free for both); rejects when the address or port is taken. */
async function listenOn(address: string, port: number, handle: RequestHandler, log: Logger, connections: Set<net.Socket>) {
  for (let tries = 0; ; tries++) {
    const udp = await bindUdp(address, port);
    const bound = udp.address().port;
    const tcp = net.createServer((conn) => {
      connections.add(conn);
      conn.once('close', () => connections.delete(conn));
      serveConnection(conn, handle, log);
    });
    try {
      await listenTcp(tcp, address, bound);
    } catch (err) {
      await closeUdp(udp);
      if (port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && tries < PICK_PORT_TRIES) continue;
      throw err;
    }
    udp.on('message', (msg, rinfo) => {
      void handle(msg, 'udp').then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address, (err) => err && log.debug({ err: err.message }, 'DNS UDP send failed'));
      });
    });
    udp.on('error', (err) => log.warn({ err: err.message, address }, 'DNS UDP socket error'));
    tcp.on('error', (err) => log.warn({ err: err.message, address }, 'DNS TCP server error'));
    return { udp, tcp, bound: { address, port: bound } };
  }
}

/** Starts listening on every address; on any failure closes what it opened and rejects. */
export async function startListeners(addresses: ListenAddress[], handle: RequestHandler, logger: Logger): Promise<DnsListeners> {
  const connections = new Set<net.Socket>();
  const opened: Awaited<ReturnType<typeof listenOn>>[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const c of connections) c.destroy();
    await Promise.all(opened.flatMap((o) => [closeUdp(o.udp), new Promise<void>((resolve) => o.tcp.close(() => resolve()))]));
  };
  try {
    for (const a of addresses) opened.push(await listenOn(a.address, a.port, handle, logger, connections));
  } catch (err) {
    await close();
    throw err;
  }
  return { addresses: opened.map((o) => o.bound), close };
}
