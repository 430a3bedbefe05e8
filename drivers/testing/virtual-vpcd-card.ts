import { createConnection, type Socket } from 'node:net';

/**
 * A contactless tag for the vsmartcard vpcd driver inside the real pcscd: a TCP client that connects to the
 * port of a "Virtual PCD" reader (35963 for "00 00", 35964 for "00 01") and answers what vpcd forwards.
 * Connecting puts the card on the reader; closing the socket takes it away. It answers like a MIFARE
 * Ultralight behind a PC/SC part 3 reader: GET UID (FF CA) and READ BINARY (FF B0, 4-byte pages).
 *
 * vpcd framing: 2-byte big-endian length, then the payload. A 1-byte payload is a control code
 * (0 power off, 1 power on, 2 reset, 4 send ATR); a longer one is a command APDU to answer.
 */
const ATR_ULTRALIGHT = Buffer.from('3B8F8001804F0CA0000003060300030000000068', 'hex');
const SW_OK = Buffer.from([0x90, 0x00]);
const SW_WRONG_P1P2 = Buffer.from([0x6b, 0x00]);
const SW_INS_NOT_SUPPORTED = Buffer.from([0x6d, 0x00]);

export interface VirtualCardOptions {
  /** UID as hex. */
  uid: string;
  /** Tag memory from page 0, 4 bytes per page. */
  memory?: Buffer;
  port?: number;
  host?: string;
  /**
   * How the card answers GET UID (FF CA 00 00): with its UID (the default); with this status word and no data,
   * as a tag or reader refusing it does (e.g. [0x6a, 0x81], "function not supported"); or 'drop': it leaves
   * the field mid-read, the connection to vpcd closing where the answer should be.
   */
  getUid?: 'answer' | 'drop' | { statusWord: readonly [number, number] };
}

export class VirtualVpcdCard {
  private socket: Socket | undefined;
  private pending = Buffer.alloc(0);
  readonly apdus: Buffer[] = [];
  /** Control codes vpcd sent (0 power off, 1 power on, 2 reset, 4 ATR request), in order. */
  readonly controls: number[] = [];
  private atrWaiters: (() => void)[] = [];
  private readonly uid: Buffer;
  private readonly memory: Buffer;

  constructor(private readonly options: VirtualCardOptions) {
    this.uid = Buffer.from(options.uid, 'hex');
    this.memory = options.memory ?? Buffer.alloc(64);
  }

  /** Puts the card on the reader; resolves once vpcd accepted the connection. */
  insert(timeoutMs = 5_000): Promise<void> {
    if (this.socket) return Promise.resolve();
    const port = this.options.port ?? 35963;
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port, host, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`vpcd at ${host}:${port} did not accept the virtual card within ${timeoutMs} ms (is pcscd running with vsmartcard-vpcd?)`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.socket = socket;
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        this.socket = undefined;
        reject(new Error(`cannot reach vpcd at ${host}:${port} (is pcscd running with vsmartcard-vpcd? scripts/services/start-pcscd.sh): ${error.message}`));
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
      });
    });
  }

  /**
   * Resolves once pcscd (through vpcd) asked for the card's ATR, i.e. it has seen the card and powered it up.
   * Whoever reads the card (a driver) can only do so after that.
   */
  waitForPowerUp(timeoutMs = 5_000): Promise<void> {
    if (this.controls.includes(4)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.atrWaiters = this.atrWaiters.filter((w) => w !== done);
        reject(new Error(`pcscd did not power up the virtual card ${this.options.uid} within ${timeoutMs} ms (controls seen: [${this.controls.join(',')}])`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.atrWaiters.push(done);
    });
  }

  /** Takes the card away. */
  remove(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.pending = Buffer.alloc(0);
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) return;
      const payload = this.pending.subarray(2, 2 + length);
      this.pending = this.pending.subarray(2 + length);
      const reply = this.answer(payload);
      if (reply) this.send(reply);
    }
  }

  private answer(payload: Buffer): Buffer | undefined {
    if (payload.length === 1) {
      this.controls.push(payload[0]!);
      if (payload[0] !== 4) return undefined;
      const waiters = this.atrWaiters;
      this.atrWaiters = [];
      for (const w of waiters) w();
      return ATR_ULTRALIGHT;
    }
    this.apdus.push(Buffer.from(payload));
    const [cla, ins, p1 = 0, p2 = 0, le = 0] = payload;
    if (cla === 0xff && ins === 0xca) return p1 === 0 ? this.answerGetUid() : SW_WRONG_P1P2;
    if (cla === 0xff && ins === 0xb0) {
      const offset = ((p1 << 8) | p2) * 4;
      const length = le === 0 ? 16 : le;
      if (offset + length > this.memory.length) return SW_WRONG_P1P2;
      return Buffer.concat([this.memory.subarray(offset, offset + length), SW_OK]);
    }
    return SW_INS_NOT_SUPPORTED;
  }

  private answerGetUid(): Buffer | undefined {
    const how = this.options.getUid ?? 'answer';
    if (how === 'answer') return Buffer.concat([this.uid, SW_OK]);
    if (how !== 'drop') return Buffer.from(how.statusWord);
    void this.remove();
    return undefined;
  }

  private send(payload: Buffer): void {
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length);
    this.socket?.write(Buffer.concat([header, payload]));
  }
}
