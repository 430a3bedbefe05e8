/**
 * Puts a PacketSizeGuard in front of whoever reads a TCP socket (aedes), without a stream in between.
 *
 * A net.Socket hands every chunk it reads to its own `push()`; aedes then takes the bytes with `read()` on
 * 'readable'. Looking at each chunk in `push` sees it before it is queued for aedes, adds no copy, no buffer and
 * no tick of delay, and leaves TCP_NODELAY and every socket method aedes uses untouched. A wrapping Duplex
 * would have to re-implement backpressure, end, destroy and error forwarding for aedes instead.
 * (hub/broker/embedded-broker-packet-limit.test.ts proves on a real socket that the hook sees the bytes.)
 */
import type { Socket } from 'node:net';
import { PacketSizeGuard, type PacketSizeVerdict } from './packet-size-guard.ts';

export type PacketRefusal = Exclude<PacketSizeVerdict, { ok: true }>;

export function limitSocketPacketSize(socket: Socket, maxPacketBytes: number, onRefused: (refusal: PacketRefusal) => void): void {
  const guard = new PacketSizeGuard(maxPacketBytes);
  const push = socket.push.bind(socket);
  socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (!(chunk instanceof Uint8Array)) return push(chunk, encoding);
    if (socket.destroyed) return false;
    const verdict = guard.inspect(chunk);
    if (verdict.ok) return push(chunk, encoding);
    // The chunk is dropped with the connection: whatever complete packets came before the refused header in it
    // are lost too, which MQTT delivery (QoS 1 resends) already copes with for any dropped connection.
    socket.destroy();
    onRefused(verdict);
    return false;
  };
}
