/**
 * Which PC/SC readers pcscd offers right now, for the technician's `memberkiosk drivers list`: opens a context,
 * collects the readers pcsclite announces, closes it.
 *
 * nfc-pcsc reads the UID of any card it finds on any reader and, when that fails (the card answers GET UID
 * with an error status, or leaves the field mid-read), emits 'error' on that reader: an EventEmitter 'error'
 * nobody listens to kills the process. Every reader therefore gets a listener, and its errors are listed
 * with it, coded DRIVER_PCSC_READER_ERROR.
 */
import { DriverError } from '../driver-error.ts';
import { createRealNfc } from './nfc-pcsc-factory.ts';
import type { NfcFactory } from './nfc-pcsc-types.ts';

export interface ListedPcscReader {
  name: string;
  /** What went wrong on this reader while listing (first line of each error), in order. */
  errors: string[];
}

export type PcscReaderListing =
  | { ok: true; readers: ListedPcscReader[] }
  | { ok: false; code: 'DRIVER_PCSC_UNAVAILABLE'; reason: string };

export interface ListPcscReadersOptions {
  /** pcsclite announces the readers it finds right after the context opens; this is how long to listen. */
  listenMs?: number;
  nfcFactory?: NfcFactory;
}

export async function listPcscReaders(options: ListPcscReadersOptions = {}): Promise<PcscReaderListing> {
  let nfc;
  try {
    nfc = await (options.nfcFactory ?? createRealNfc)();
  } catch (error) {
    // A DriverError here says what is missing (pcscd, the addon); anything else is still "unavailable".
    return { ok: false, code: 'DRIVER_PCSC_UNAVAILABLE', reason: firstLine(error instanceof DriverError ? error.message : String((error as Error)?.message ?? error)) };
  }
  const readers: ListedPcscReader[] = [];
  let contextError: string | undefined;
  nfc.on('reader', (reader) => {
    const listed: ListedPcscReader = { name: reader.reader.name, errors: [] };
    readers.push(listed);
    // Stays attached after the listing: the reader may still report the failed read while closing.
    reader.on('error', (error) => listed.errors.push(firstLine(error.message)));
  });
  nfc.on('error', (error) => (contextError ??= firstLine(error.message)));
  await new Promise((resolve) => setTimeout(resolve, options.listenMs ?? 700));
  nfc.removeAllListeners();
  // Closing the context makes pcsclite report errors on it that no longer matter to anyone.
  nfc.on('error', () => undefined);
  nfc.close();
  if (contextError !== undefined) return { ok: false, code: 'DRIVER_PCSC_UNAVAILABLE', reason: `the PC/SC context failed: ${contextError}` };
  return { ok: true, readers };
}

/** Node's require errors carry their require stack on the following lines: one line is what a person reads. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
