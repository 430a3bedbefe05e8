import type { Framing, FrameVerdict } from './framing.ts';
import { normalizeUid } from './uid.ts';

/**
 * "UID + line ending" readers (most USB-serial HF/LF modules in "ASCII output" mode): one UID per line,
 * separators allowed. The delimiter is configurable because readers ship with CR LF, CR or LF.
 */
export function lineFraming(delimiter: string | Buffer = '\r\n'): Framing {
  const delimiterBytes = Buffer.from(delimiter);
  return {
    name: 'lines',
    delimiter: delimiterBytes,
    maxFrameBytes: 128,
    decode(frame: Buffer): FrameVerdict {
      // A reader configured for CR LF but sending LF, or CR LF with a CR-only delimiter, leaves stray line
      // endings; they are not garbage.
      const text = frame.toString('latin1').replace(/[\r\n]/g, '').trim();
      if (text === '') return { rejected: [] };
      const uid = normalizeUid(text);
      if (uid === undefined) return { rejected: [`not a UID line (${text.length} chars)`] };
      return { uid, rejected: [] };
    },
  };
}
