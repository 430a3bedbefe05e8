/**
 * A serial reader's framing: the delimiter the byte stream is split on (by @serialport/parser-delimiter) and
 * the decoder that turns one delimited frame into a UID or a reason to reject it.
 */
export interface FrameVerdict {
  /** Normalized UID, when the frame carried one. */
  uid?: string;
  /** One reason per rejected frame or fragment; an empty frame (a lone line ending) is neither. */
  rejected: string[];
}

export interface Framing {
  readonly name: string;
  readonly delimiter: Buffer;
  /** Longest run of bytes without a delimiter before the buffer is dropped as garbage. */
  readonly maxFrameBytes: number;
  decode(frame: Buffer): FrameVerdict;
}
