/**
 * The part of nfc-pcsc 0.8 the PC/SC reader driver uses (the package ships no types). Keeping it as an
 * interface is also what lets the driver take an injected NFC factory.
 */
export interface NfcCard {
  uid?: string;
  atr?: Buffer;
  standard?: string;
}

export interface NfcReaderLike {
  readonly reader: { readonly name: string };
  autoProcessing: boolean;
  on(event: 'card' | 'card.off', listener: (card: NfcCard) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
  removeAllListeners(): this;
  read(blockNumber: number, length: number, blockSize?: number, packetSize?: number): Promise<Buffer>;
  close(): void;
}

export interface NfcLike {
  on(event: 'reader', listener: (reader: NfcReaderLike) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  removeAllListeners(): this;
  close(): void;
}

export type NfcFactory = () => NfcLike | Promise<NfcLike>;
