import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.ts';
import { DriverError } from '../driver-error.ts';
import type { DriverErrorCode } from '../driver-error-codes.ts';
import { HealthTracker } from '../health.ts';
import { maskUid } from '../mask-uid.ts';
import { createRealNfc } from './nfc-pcsc-factory.ts';
import type { NfcCard, NfcFactory, NfcLike, NfcReaderLike } from './nfc-pcsc-types.ts';
import { TapDebouncer } from './tap-debouncer.ts';
import type { CardReader, CardReaderEvents, DriverHealth } from './types.ts';
import { normalizeUid } from './uid.ts';

export interface MemberNumberBlock {
  /** First block (page, for Ultralight/NTAG) of the member number. */
  block: number;
  /** Bytes to read; the member number is the ASCII text in them up to the first NUL. */
  length: number;
  /** 4 for Ultralight/NTAG pages, 16 for MIFARE Classic blocks. */
  blockSize?: number;
}

export interface PcscCardReaderOptions {
  logger: Logger;
  /** Which PC/SC readers to use, by name; all when absent (e.g. `(n) => /ACR122/i.test(n)`). */
  acceptReader?: (name: string) => boolean;
  memberNumber?: MemberNumberBlock;
  /** A removal followed by the same card within this time is the card flickering at the edge of the field. */
  bounceMs?: number;
  backoff?: BackoffOptions;
  /** How long a fresh PC/SC context may take to announce a reader before it is replaced. */
  readerWaitMs?: number;
  nfcFactory?: NfcFactory;
}

interface AttachedReader {
  reader: NfcReaderLike;
  debouncer: TapDebouncer;
}

/**
 * PC/SC contactless readers (ACR122U and the like) through nfc-pcsc and the system's pcscd. Readers come and go
 * at run time; when the last one is gone, or the PC/SC context fails (pcscd restarted), the driver opens a
 * fresh context with backoff until a reader shows up again.
 */
export class PcscCardReader extends EventEmitter<CardReaderEvents> implements CardReader {
  private readonly log: Logger;
  private readonly health_ = new HealthTracker('pcsc-reader');
  private readonly backoff: Backoff;
  private readonly nfcFactory: NfcFactory;
  private readonly readers = new Map<string, AttachedReader>();
  private nfc: NfcLike | undefined;
  /** Bumped for every context, so late events of a closed one are ignored. */
  private generation = 0;
  private running = false;
  private everConnected = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PcscCardReaderOptions) {
    super();
    this.log = options.logger.child({ component: 'driver.pcsc-reader' });
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.nfcFactory = options.nfcFactory ?? createRealNfc;
  }

  health(): DriverHealth {
    return this.health_.snapshot();
  }

  /** Names of the readers in use now. */
  readerNames(): string[] {
    return [...this.readers.keys()];
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.openContext();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.closeContext();
    this.health_.setConnected(false);
    this.emitHealth();
  }

  private async openContext(): Promise<void> {
    this.closeContext();
    const generation = ++this.generation;
    let nfc: NfcLike;
    try {
      nfc = await this.nfcFactory();
    } catch (error) {
      this.fail(error instanceof DriverError ? error.code : 'DRIVER_PCSC_UNAVAILABLE', error);
      this.scheduleReopen();
      return;
    }
    if (!this.running || generation !== this.generation) {
      nfc.close();
      return;
    }
    this.nfc = nfc;
    nfc.on('reader', (reader) => {
      if (generation === this.generation) this.attachReader(reader, generation);
    });
    nfc.on('error', (error) => {
      if (generation !== this.generation) return;
      // pcscd gone or never there: this context is dead; a new one is the only way back.
      this.fail('DRIVER_PCSC_UNAVAILABLE', error);
      this.closeContext();
      this.health_.setConnected(false);
      this.emitHealth();
      this.scheduleReopen();
    });
    // A context that announces no reader is as good as none; look again later, after pcscd had time to list them.
    this.scheduleReopen(this.options.readerWaitMs ?? 2_000);
  }

  private attachReader(reader: NfcReaderLike, generation: number): void {
    const name = reader.reader.name;
    if (this.options.acceptReader && !this.options.acceptReader(name)) {
      // nfc-pcsc reads cards on every reader, ours or not, and emits 'error' on the reader when that fails:
      // unheard, that 'error' would kill the kiosk over a card on a reader it does not even use.
      reader.on('error', (error) => this.log.debug({ reader: name, err: error.message }, 'card read failed on a PC/SC reader not in use'));
      return;
    }
    const debouncer = new TapDebouncer({
      holdGapMs: 0,
      bounceMs: this.options.bounceMs ?? 150,
      onRemoved: (uid) => this.emit('card.removed', { uid, readerName: name }),
    });
    this.readers.set(name, { reader, debouncer });
    reader.on('card', (card) => void this.onCard(name, reader, card, debouncer));
    reader.on('card.off', (card) => {
      const uid = normalizeUid(card.uid ?? '');
      if (uid) debouncer.absent(uid);
    });
    // A card that fails to read (GET UID refused, card gone mid-read): reported, and the next tap reads afresh.
    reader.on('error', (error) => {
      if (generation !== this.generation) return;
      this.fail('DRIVER_PCSC_READER_ERROR', error, name);
    });
    reader.on('end', () => {
      if (generation !== this.generation) return;
      debouncer.reset();
      this.readers.delete(name);
      this.log.warn({ reader: name }, 'PC/SC reader detached');
      if (this.readers.size === 0) {
        this.health_.setConnected(false);
        this.health_.recordError('DRIVER_PORT_LOST', `reader ${name} detached`);
        this.emitHealth();
        this.scheduleReopen();
      }
    });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.everConnected && !this.health_.snapshot().connected) this.health_.recordReconnect();
    this.everConnected = true;
    this.backoff.reset();
    this.health_.setConnected(true);
    this.log.info({ reader: name }, 'PC/SC reader attached');
    this.emitHealth();
  }

  private async onCard(readerName: string, reader: NfcReaderLike, card: NfcCard, debouncer: TapDebouncer): Promise<void> {
    const uid = normalizeUid(card.uid ?? '');
    if (uid === undefined) {
      this.health_.recordRejectedFrame();
      this.health_.recordError('DRIVER_FRAME_REJECTED', 'card without a readable UID');
      this.emitHealth();
      return;
    }
    if (!debouncer.sighted(uid)) return;
    const at = Date.now();
    const memberNumber = await this.readMemberNumber(reader);
    this.emit('card', { uid, readerName, at, ...(memberNumber ? { memberNumber } : {}) });
    this.log.debug({ uid: maskUid(uid), reader: readerName }, 'card tap');
  }

  private async readMemberNumber(reader: NfcReaderLike): Promise<string | undefined> {
    const config = this.options.memberNumber;
    if (!config) return undefined;
    try {
      const data = await reader.read(config.block, config.length, config.blockSize ?? 4);
      const end = data.indexOf(0);
      const text = data.subarray(0, end === -1 ? data.length : end).toString('latin1').trim();
      return /^[0-9A-Za-z-]+$/.test(text) ? text : undefined;
    } catch (error) {
      // The UID is enough to identify the member; a card without the block still taps.
      this.fail('DRIVER_PCSC_READER_ERROR', error, reader.reader.name);
      return undefined;
    }
  }

  private closeContext(): void {
    this.generation += 1;
    for (const { reader, debouncer } of this.readers.values()) {
      debouncer.reset();
      reader.removeAllListeners();
      reader.on('error', () => undefined);
    }
    this.readers.clear();
    const nfc = this.nfc;
    this.nfc = undefined;
    if (nfc) {
      // Closing emits 'end' on each reader and errors on pending calls; nobody listens any more.
      nfc.removeAllListeners();
      nfc.on('error', () => undefined);
      try {
        nfc.close();
      } catch (error) {
        this.log.debug({ err: (error as Error).message }, 'closing PC/SC context failed');
      }
    }
  }

  private scheduleReopen(minDelayMs = 0): void {
    if (!this.running || this.retryTimer) return;
    const delay = Math.max(minDelayMs, this.backoff.next());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running && this.readers.size === 0) void this.openContext();
    }, delay);
  }

  private fail(code: DriverErrorCode, error: unknown, readerName?: string): void {
    const detail = error instanceof Error ? error.message : String(error);
    // Which reader, when there are several: the health report carries the message, not the log's fields.
    const message = readerName ? `${readerName}: ${detail}` : detail;
    this.health_.recordError(code, message);
    this.log.warn({ code, err: detail, ...(readerName ? { reader: readerName } : {}) }, 'PC/SC problem');
    this.emitHealth();
  }

  private emitHealth(): void {
    this.emit('health', this.health_.snapshot());
  }
}
