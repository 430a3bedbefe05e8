import type { Framing, FrameVerdict } from './framing.ts';
import { normalizeUid } from './uid.ts';

const STX = 0x02;
const ETX = 0x03;

/**
 * STX <ASCII hex data> <ASCII hex checksum> ETX, as 125 kHz EM4100 modules (RDM6300 and the like) send:
 * 10 data characters (version byte + 4 tag bytes), then the XOR of those 5 bytes as 2 characters. Some modules
 * put CR LF before ETX. The stream is split on ETX; whatever precedes the last STX in a frame is the tail of a
 * truncated frame and is rejected on its own.
 */
export type StxEtxChecksum = 'xor' | 'none';

export function stxEtxFraming(checksum: StxEtxChecksum = 'xor'): Framing {
  return {
    name: `stx-etx/${checksum}`,
    delimiter: Buffer.from([ETX]),
    maxFrameBytes: 64,
    decode(frame: Buffer): FrameVerdict {
      const rejected: string[] = [];
      const start = frame.lastIndexOf(STX);
      if (start === -1) return { rejected: frame.length === 0 ? ['empty frame'] : ['frame without STX'] };
      if (start > 0) rejected.push('truncated frame before STX');
      const body = frame.subarray(start + 1).toString('latin1').replace(/[\r\n]/g, '');
      if (!/^[0-9A-Fa-f]+$/.test(body) || body.length % 2 !== 0) {
        rejected.push('frame body is not hex');
        return { rejected };
      }
      const dataHex = checksum === 'xor' ? body.slice(0, -2) : body;
      if (checksum === 'xor') {
        const expected = Number.parseInt(body.slice(-2), 16);
        const bytes = Buffer.from(dataHex, 'hex');
        let actual = 0;
        for (const byte of bytes) actual ^= byte;
        if (actual !== expected) {
          rejected.push('checksum mismatch');
          return { rejected };
        }
      }
      const uid = normalizeUid(dataHex);
      if (uid === undefined) {
        rejected.push(`implausible UID length (${dataHex.length} hex chars)`);
        return { rejected };
      }
      return { uid, rejected };
    },
  };
}

/** Builds a well-formed frame; used by tests, the simulator and the benchmark. */
export function encodeStxEtxFrame(uidHex: string): Buffer {
  const bytes = Buffer.from(uidHex, 'hex');
  let sum = 0;
  for (const byte of bytes) sum ^= byte;
  const body = `${uidHex.toUpperCase()}${sum.toString(16).toUpperCase().padStart(2, '0')}`;
  return Buffer.concat([Buffer.from([STX]), Buffer.from(body, 'latin1'), Buffer.from([ETX])]);
}
