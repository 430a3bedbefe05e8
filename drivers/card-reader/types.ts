/**
 * The card reader contract the device uses, whatever the hardware: one `card` event per tap, one
 * `card.removed` when the card leaves, and a health snapshot for the device's reported state.
 */
import type { EventEmitter } from 'node:events';

export interface CardTap {
  /** Uppercase hex, no separators. */
  uid: string;
  readerName: string;
  /** ms since epoch, taken when the driver recognised the tap. */
  at: number;
  /** Read from a data block when the reader is configured to (PC/SC readers only). */
  memberNumber?: string;
}

export interface CardRemoved {
  uid: string;
  readerName: string;
}

export interface DriverHealth {
  driver: string;
  connected: boolean;
  lastError?: { code: string; message: string; at: number };
  framesRejected: number;
  reconnects: number;
}

export interface CardReaderEvents {
  card: [CardTap];
  'card.removed': [CardRemoved];
  /** Emitted whenever connected/lastError/counters change, so the device can republish its state. */
  health: [DriverHealth];
}

export interface CardReader extends EventEmitter<CardReaderEvents> {
  /** Opens the transport; resolves once the first attempt was made (the reader may still be absent: it keeps retrying). */
  start(): Promise<void>;
  /** Closes everything and cancels retries; idempotent. */
  stop(): Promise<void>;
  health(): DriverHealth;
}
