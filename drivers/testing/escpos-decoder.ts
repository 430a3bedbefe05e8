import iconv from 'iconv-lite';

/**
 * Reads back the ESC/POS a driver wrote, so tests assert on what a printer would do (text, bold, code page, QR,
 * cut, status requests) instead of on byte offsets. Understands the commands the receipt encoder uses; any other
 * ESC/GS/FS sequence is recorded as 'unknown' so a test can notice it.
 */
export type EscposEvent =
  | { kind: 'init' }
  | { kind: 'text'; text: string; bold: boolean; align: number; chinese: boolean; codePage: number; tall: boolean }
  | { kind: 'bold'; on: boolean }
  | { kind: 'align'; value: number }
  | { kind: 'printMode'; value: number }
  | { kind: 'codePage'; value: number }
  | { kind: 'chineseMode'; on: boolean }
  | { kind: 'qr'; fn: number; data: Buffer }
  | { kind: 'feed'; lines: number }
  | { kind: 'cut'; mode: number }
  | { kind: 'status'; n: number }
  | { kind: 'unknown'; bytes: Buffer };

export class EscposDecoder {
  readonly events: EscposEvent[] = [];
  private pending = Buffer.alloc(0);
  private textBytes: number[] = [];
  private bold = false;
  private align = 0;
  private chinese = false;
  private codePage = 0;
  private tall = false;

  constructor(private readonly onEvent: (event: EscposEvent) => void = () => undefined) {}

  feed(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (offset < this.pending.length) {
      const used = this.step(this.pending, offset);
      if (used === 0) break;
      offset += used;
    }
    this.pending = this.pending.subarray(offset);
  }

  /** The text lines printed so far, decoded with the code page or Chinese mode active when each was printed. */
  lines(): Extract<EscposEvent, { kind: 'text' }>[] {
    return this.events.filter((e): e is Extract<EscposEvent, { kind: 'text' }> => e.kind === 'text');
  }

  private emit(event: EscposEvent): void {
    this.events.push(event);
    this.onEvent(event);
  }

  private flushText(): void {
    if (this.textBytes.length === 0) return;
    const bytes = Buffer.from(this.textBytes);
    this.textBytes = [];
    const text = this.chinese ? iconv.decode(bytes, 'gb18030') : iconv.decode(bytes, 'cp437');
    this.emit({ kind: 'text', text, bold: this.bold, align: this.align, chinese: this.chinese, codePage: this.codePage, tall: this.tall });
  }

  /** Consumes one command or text byte at `at`; returns bytes used, 0 when more bytes are needed. */
  private step(b: Buffer, at: number): number {
    const c = b[at]!;
    const need = (n: number): boolean => at + n <= b.length;
    if (c === 0x0a) {
      this.flushText();
      return 1;
    }
    if (c === 0x10) {
      if (!need(3)) return 0;
      if (b[at + 1] === 0x04) {
        this.emit({ kind: 'status', n: b[at + 2]! });
        return 3;
      }
      this.emit({ kind: 'unknown', bytes: b.subarray(at, at + 2) });
      return 2;
    }
    if (c === 0x1b) {
      if (!need(2)) return 0;
      const cmd = b[at + 1]!;
      if (cmd === 0x40) {
        this.flushText();
        this.bold = false;
        this.align = 0;
        this.tall = false;
        this.chinese = false;
        this.codePage = 0;
        this.emit({ kind: 'init' });
        return 2;
      }
      if (!need(3)) return 0;
      const n = b[at + 2]!;
      this.flushText();
      switch (cmd) {
        case 0x45:
          this.bold = n !== 0;
          this.emit({ kind: 'bold', on: this.bold });
          return 3;
        case 0x61:
          this.align = n;
          this.emit({ kind: 'align', value: n });
          return 3;
        case 0x21:
          this.tall = (n & 0x10) !== 0;
          this.emit({ kind: 'printMode', value: n });
          return 3;
        case 0x74:
          this.codePage = n;
          this.emit({ kind: 'codePage', value: n });
          return 3;
        case 0x64:
          this.emit({ kind: 'feed', lines: n });
          return 3;
        default:
          this.emit({ kind: 'unknown', bytes: b.subarray(at, at + 3) });
          return 3;
      }
    }
    if (c === 0x1c) {
      if (!need(2)) return 0;
      this.flushText();
      const cmd = b[at + 1]!;
      if (cmd === 0x26 || cmd === 0x2e) {
        this.chinese = cmd === 0x26;
        this.emit({ kind: 'chineseMode', on: this.chinese });
      } else this.emit({ kind: 'unknown', bytes: b.subarray(at, at + 2) });
      return 2;
    }
    if (c === 0x1d) {
      if (!need(2)) return 0;
      const cmd = b[at + 1]!;
      this.flushText();
      if (cmd === 0x28 && need(3) && b[at + 2] === 0x6b) {
        if (!need(5)) return 0;
        const length = b[at + 3]! + b[at + 4]! * 256;
        if (!need(5 + length)) return 0;
        const body = b.subarray(at + 5, at + 5 + length);
        this.emit({ kind: 'qr', fn: body[1] ?? 0, data: Buffer.from(body.subarray(2)) });
        return 5 + length;
      }
      if (cmd === 0x56) {
        if (!need(3)) return 0;
        const mode = b[at + 2]!;
        const withFeed = mode === 65 || mode === 66;
        if (withFeed && !need(4)) return 0;
        this.emit({ kind: 'cut', mode });
        return withFeed ? 4 : 3;
      }
      if (!need(3)) return 0;
      this.emit({ kind: 'unknown', bytes: b.subarray(at, at + 3) });
      return 3;
    }
    this.textBytes.push(c);
    return 1;
  }
}

/** The QR payload a decoded stream stores with `GS ( k … 31 50 30`. */
export function qrPayload(events: EscposEvent[]): string | undefined {
  const store = events.find((e): e is Extract<EscposEvent, { kind: 'qr' }> => e.kind === 'qr' && e.fn === 0x50);
  return store?.data.subarray(1).toString('latin1');
}
