/**
 * Reads the MQTT fixed header of every packet as the bytes of a connection stream in, so a packet announcing
 * more than the limit is refused before anyone buffers its body. aedes has no packet size option, and its
 * parser keeps a packet's bytes until the whole packet is there: one anonymous 100 MB publish took the hub
 * from 150 to 474 MB.
 *
 * Fixed header: 1 byte of type and flags, then the "remaining length" (bytes after the header) as a
 * variable-byte integer of 1–4 bytes, 7 bits each, least significant first, 0x80 meaning "another byte
 * follows". The guard never holds bytes: it remembers where it is in the current header and how many body
 * bytes to skip, so it follows headers split across chunks and any number of packets in one chunk.
 */

import type { ErrorCode } from '../../core/errors/codes.ts';

/** MQTT allows at most 4 remaining-length bytes; a 4th byte with the continuation bit set is malformed. */
const MAX_REMAINING_LENGTH_BYTES = 4;

export type PacketSizeVerdict =
  | { ok: true }
  /** `announcedBytes`: the whole packet (fixed header + remaining length) the header announces. */
  | { ok: false; code: Extract<ErrorCode, 'MQTT_PACKET_TOO_LARGE'>; packetType: number; announcedBytes: number }
  | { ok: false; code: Extract<ErrorCode, 'MQTT_PACKET_MALFORMED'>; packetType: number };

const OK: PacketSizeVerdict = { ok: true };

export class PacketSizeGuard {
  /** Body bytes of the current packet still to come (and to let through unread). */
  private bodyBytesLeft = 0;
  /** Where the next header byte belongs: the type byte, or the remaining length after it. */
  private expecting: 'type' | 'length' = 'type';
  private packetType = 0;
  private remainingLength = 0;
  private lengthBytesSeen = 0;
  /** Once refused, the connection is to be closed: every later chunk gets the same answer. */
  private refusal: PacketSizeVerdict | null = null;

  constructor(private readonly maxPacketBytes: number) {}

  /** Follows `chunk` (the next bytes of the connection, in order); not ok means close the connection now. */
  inspect(chunk: Uint8Array): PacketSizeVerdict {
    if (this.refusal) return this.refusal;
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyBytesLeft > 0) {
        const skipped = Math.min(this.bodyBytesLeft, chunk.length - at);
        this.bodyBytesLeft -= skipped;
        at += skipped;
        continue;
      }
      const byte = chunk[at]!;
      at += 1;
      if (this.expecting === 'type') {
        this.packetType = byte >> 4;
        this.remainingLength = 0;
        this.lengthBytesSeen = 0;
        this.expecting = 'length';
        continue;
      }
      // Multiplication, not shifts: 4 × 7 bits reach 2^28, past what a signed 32-bit shift keeps exact.
      this.remainingLength += (byte & 0x7f) * 128 ** this.lengthBytesSeen;
      this.lengthBytesSeen += 1;
      if (byte & 0x80) {
        if (this.lengthBytesSeen === MAX_REMAINING_LENGTH_BYTES) return this.refuse({ ok: false, code: 'MQTT_PACKET_MALFORMED', packetType: this.packetType });
        continue;
      }
      const announcedBytes = 1 + this.lengthBytesSeen + this.remainingLength;
      if (announcedBytes > this.maxPacketBytes) {
        return this.refuse({ ok: false, code: 'MQTT_PACKET_TOO_LARGE', packetType: this.packetType, announcedBytes });
      }
      this.bodyBytesLeft = this.remainingLength;
      this.expecting = 'type';
    }
    return OK;
  }

  private refuse(verdict: PacketSizeVerdict): PacketSizeVerdict {
    this.refusal = verdict;
    return verdict;
  }
}
