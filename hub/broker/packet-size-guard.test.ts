import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MQTT_PACKET_BYTES } from '../../core/wire/limits.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';

const PUBLISH = 0x3;

/** The MQTT variable-byte integer for `n`, written by hand so the test does not share the guard's arithmetic. */
function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

function header(type: number, bodyBytes: number): Buffer {
  return Buffer.from([type << 4, ...remainingLength(bodyBytes)]);
}

/** A whole packet: header and a body of `bodyBytes` bytes (0xEE, so a body byte never looks like a header). */
function packet(type: number, bodyBytes: number): Buffer {
  return Buffer.concat([header(type, bodyBytes), Buffer.alloc(bodyBytes, 0xee)]);
}

/** The body size that makes the whole packet exactly `total` bytes. */
function bodyForTotal(total: number): number {
  for (let lengthBytes = 1; lengthBytes <= 4; lengthBytes += 1) {
    const body = total - 1 - lengthBytes;
    if (remainingLength(body).length === lengthBytes) return body;
  }
  throw new Error(`no body size gives a ${total}-byte packet`);
}

function feedBytewise(guard: PacketSizeGuard, bytes: Buffer): ReturnType<PacketSizeGuard['inspect']>[] {
  return [...bytes].map((b) => guard.inspect(Buffer.from([b])));
}

describe('PacketSizeGuard (MQTT fixed headers read as bytes stream in)', () => {
  it('follows many packets in one chunk and refuses the oversize one that comes after them', () => {
    const guard = new PacketSizeGuard(1_000);
    const connect = packet(0x1, 12);
    const ping = packet(0xc, 0); // PINGREQ: remaining length 0, the next byte is already the next header
    const publish = packet(PUBLISH, 900);
    expect(guard.inspect(Buffer.concat([connect, ping, publish, ping]))).toEqual({ ok: true });
    const chunk = Buffer.concat([ping, packet(PUBLISH, 500), header(PUBLISH, 5_000), Buffer.alloc(100)]);
    expect(guard.inspect(chunk)).toEqual({ ok: false, code: 'MQTT_PACKET_TOO_LARGE', packetType: PUBLISH, announcedBytes: 1 + 2 + 5_000 });
  });

  it('follows headers and bodies split anywhere across chunks, one byte at a time', () => {
    const guard = new PacketSizeGuard(20_000);
    const stream = Buffer.concat([packet(0x1, 30), packet(PUBLISH, 16_383), packet(PUBLISH, 16_384), packet(0xc, 0)]);
    expect(feedBytewise(guard, stream).every((v) => v.ok)).toBe(true);
    // the oversize header's 3 length bytes arrive one by one: only the last one decides
    const verdicts = feedBytewise(guard, header(PUBLISH, 2_000_000));
    expect(verdicts.slice(0, -1).every((v) => v.ok)).toBe(true);
    expect(verdicts.at(-1)).toMatchObject({ ok: false, code: 'MQTT_PACKET_TOO_LARGE', announcedBytes: 1 + 3 + 2_000_000 });
  });

  it('lets a packet of exactly the limit through and refuses one byte more, counting the whole packet', () => {
    const atLimit = bodyForTotal(MAX_MQTT_PACKET_BYTES);
    const guard = new PacketSizeGuard(MAX_MQTT_PACKET_BYTES);
    expect(packet(PUBLISH, atLimit).length).toBe(MAX_MQTT_PACKET_BYTES);
    expect(guard.inspect(packet(PUBLISH, atLimit))).toEqual({ ok: true });
    expect(guard.inspect(header(PUBLISH, atLimit + 1))).toEqual({ ok: false, code: 'MQTT_PACKET_TOO_LARGE', packetType: PUBLISH, announcedBytes: MAX_MQTT_PACKET_BYTES + 1 });
  });

  it('refuses a 1 MB publish on its header alone, and keeps refusing whatever follows', () => {
    const guard = new PacketSizeGuard(MAX_MQTT_PACKET_BYTES);
    expect(guard.inspect(packet(0x1, 20))).toEqual({ ok: true });
    const refused = guard.inspect(header(PUBLISH, 1024 * 1024));
    expect(refused).toEqual({ ok: false, code: 'MQTT_PACKET_TOO_LARGE', packetType: PUBLISH, announcedBytes: 1 + 3 + 1024 * 1024 });
    expect(guard.inspect(packet(0xc, 0))).toEqual(refused);
  });

  it('refuses a remaining length whose 4th byte still says another follows, and reads the largest 4-byte one', () => {
    const malformed = new PacketSizeGuard(MAX_MQTT_PACKET_BYTES);
    const verdicts = feedBytewise(malformed, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]));
    expect(verdicts.slice(0, 4).every((v) => v.ok)).toBe(true);
    expect(verdicts[4]).toEqual({ ok: false, code: 'MQTT_PACKET_MALFORMED', packetType: PUBLISH });
    // 0xFF 0xFF 0xFF 0x7F is the largest legal remaining length, 268 435 455: too large here, but not malformed
    const largest = new PacketSizeGuard(MAX_MQTT_PACKET_BYTES);
    expect(largest.inspect(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toEqual({ ok: false, code: 'MQTT_PACKET_TOO_LARGE', packetType: PUBLISH, announcedBytes: 1 + 4 + 268_435_455 });
  });

  it('whatever the chunking, lets packets within the limit through and refuses the first one over it', () => {
    const limit = 3_000;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_500 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => packet(PUBLISH, b)));
          const firstOver = bodies.findIndex((b) => 1 + remainingLength(b).length + b > limit);
          const guard = new PacketSizeGuard(limit);
          let at = 0;
          let verdict: ReturnType<PacketSizeGuard['inspect']> = { ok: true };
          for (let i = 0; at < stream.length && verdict.ok; i += 1) {
            const size = cuts[i % cuts.length]!;
            verdict = guard.inspect(stream.subarray(at, at + size));
            at += size;
          }
          if (firstOver === -1) return verdict.ok;
          const body = bodies[firstOver]!;
          return !verdict.ok && verdict.code === 'MQTT_PACKET_TOO_LARGE' && verdict.announcedBytes === 1 + remainingLength(body).length + body;
        },
      ),
    );
  });
});
